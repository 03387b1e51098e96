"""Evidence that is not a readable disk image gives one clear EvidenceError, never a traceback."""

from __future__ import annotations

import random

import pytest
from shared_corpus import corpus_files, skip_unless

from forensics_kit.disk import open_image
from forensics_kit.errors import EvidenceError
from forensics_kit.hashing import hash_file


def _expect_evidence_error(path, fragment: str) -> EvidenceError:
    with pytest.raises(EvidenceError) as caught:
        open_image(path)
    message = str(caught.value)
    assert "\n" not in message
    assert path.name in message
    assert fragment in message
    return caught.value


def test_random_bytes_are_not_a_disk_image(tmp_path):
    path = tmp_path / "random.bin"
    path.write_bytes(random.Random(7).randbytes(256 * 1024))
    _expect_evidence_error(path, "not a disk image")


def test_text_file_is_not_a_disk_image(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not evidence\n" * 200)
    _expect_evidence_error(path, "not a disk image")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.dd"
    path.touch()
    _expect_evidence_error(path, "empty file")


def test_directory_is_refused(tmp_path):
    _expect_evidence_error(tmp_path, "is a directory")


def test_missing_file_is_refused(tmp_path):
    _expect_evidence_error(tmp_path / "missing.E01", "no such file")


def test_truncated_fat_image_is_refused_when_strict(fat16_image, tmp_path):
    path = tmp_path / "truncated.dd"
    path.write_bytes(fat16_image.path.read_bytes()[: 256 * 1024])
    with pytest.raises(EvidenceError, match="truncated image") as caught:
        open_image(path, strict=True)
    assert "\n" not in str(caught.value) and path.name in str(caught.value)


def test_later_segment_of_a_split_image_points_to_the_first(fat16_image, tmp_path):
    data = fat16_image.path.read_bytes()
    (tmp_path / "disk.000").write_bytes(data[: len(data) // 2])
    (tmp_path / "disk.001").write_bytes(data[len(data) // 2 :])
    _expect_evidence_error(tmp_path / "disk.001", "open disk.000")
    with open_image(tmp_path / "disk.000") as img:
        assert img.format == "split-raw"
        assert img.read("/README.TXT") == b"fklab test volume\n"


MALFORMED = corpus_files("images-malformed", recursive=True)


@skip_unless("images-malformed")
@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_malformed_corpus_images_give_evidence_error(path):
    _expect_evidence_error(path, path.name)


def test_evidence_is_untouched_by_walk_and_reads(fat16_image):
    before = hash_file(fat16_image.path)
    mtime = fat16_image.path.stat().st_mtime_ns
    with open_image(fat16_image.path) as img:
        for record in list(img.walk()):
            if record.type == "file":
                img.read(inode=record.inode)
    assert hash_file(fat16_image.path) == before
    assert fat16_image.path.stat().st_mtime_ns == mtime


def test_fat_times_do_not_depend_on_the_machines_time_zone(fat16_image) -> None:
    """A trainee's laptop in Moscow must read the same FAT times as the instructor's in UTC."""
    import os
    import subprocess
    import sys

    code = (
        "import json,sys; from forensics_kit.disk import open_image\n"
        "with open_image(sys.argv[1]) as img: print(json.dumps([r.mtime for r in img.walk()]))"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code, str(fat16_image.path)], capture_output=True, text=True, check=True,
                       env={**os.environ, "TZ": zone}).stdout
        for zone in ("UTC", "Europe/Moscow", "America/New_York")
    ]
    assert runs[0] == runs[1] == runs[2]


def test_importing_the_disk_kit_loads_no_yara_carving_or_block_maps() -> None:
    """Listing a disk must not pay for the heavy tools; they load on first use."""
    import subprocess
    import sys

    code = "import sys, forensics_kit.disk as d; print(sorted(m for m in ('yara', 'forensics_kit.disk.carving', " \
           "'forensics_kit.disk.blockmap', 'forensics_kit.disk.search') if m in sys.modules)); d.carve"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
