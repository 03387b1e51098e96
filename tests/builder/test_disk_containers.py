"""Containers: split raw and E01 hold exactly the raw media, with the recipe's acquisition metadata."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time

import pytest
from disk_helpers import build

from forensics_kit.disk import open_image
from forensics_kit.errors import RecipeError

BASE = {
    "id": "disk", "type": "disk", "size": "4MiB", "filesystem": {"type": "fat12", "label": "CARD"},
    "items": [{"id": "a", "path": "/a.txt", "content": {"text": "on the card"}}],
}  # fmt: skip
E01 = {
    **BASE, "file": "card.E01",
    "container": {"format": "e01", "examiner": "Lt. Petrova", "case_number": "2024-117", "evidence_number": "EV-03",
                  "description": "SD card from the car", "notes": "seized 2024-03-30",
                  "acquired": "2024-03-31T09:15:00Z"},
}  # fmt: skip


def _media_sha256(path) -> str:
    digest = hashlib.sha256()
    with open_image(path) as image:
        for chunk in image.iter_media():
            digest.update(chunk)
    return digest.hexdigest()


def test_split_segments_join_to_the_media_and_open_as_one_image(tmp_path):
    result = build(tmp_path, [{**BASE, "file": "card.001", "container": {"format": "split", "segment_size": "1MiB"}}])
    facts = result.truth["artefacts"]["disk"]
    assert facts["segments"] == ["card.001", "card.002", "card.003", "card.004"]
    joined = b"".join((result.directory / name).read_bytes() for name in facts["segments"])
    assert hashlib.sha256(joined).hexdigest() == facts["media"]["sha256"]
    assert _media_sha256(result.artefacts["disk"]) == facts["media"]["sha256"]
    with open_image(result.artefacts["disk"]) as image:
        assert image.format == "split-raw"
        assert image.read("/a.txt") == b"on the card"


@pytest.mark.skipif(not shutil.which("ewfinfo"), reason="ewfinfo (ewf-tools) is not installed")
def test_e01_keeps_examiner_case_and_hashes_and_reads_like_the_raw_media(tmp_path):
    result = build(tmp_path, [E01])
    facts = result.truth["artefacts"]["disk"]
    info = subprocess.run(["ewfinfo", result.artefacts["disk"]], capture_output=True, text=True, check=True).stdout
    for text in ("Lt. Petrova", "2024-117", "EV-03", "SD card from the car", "seized 2024-03-30",
                 "Mar 31 09:15:00 2024", facts["media"]["md5"]):  # fmt: skip
        assert text in info
    assert facts["ewf"]["examiner"] == "Lt. Petrova" and facts["ewf"]["acquired"] == "2024-03-31T09:15:00Z"
    assert _media_sha256(result.artefacts["disk"]) == facts["media"]["sha256"]
    subprocess.run(["ewfverify", "-q", result.artefacts["disk"]], capture_output=True, check=True)
    time.sleep(1.1)
    again = build(tmp_path, [E01], out="again")
    assert again.artefacts["disk"].read_bytes() == result.artefacts["disk"].read_bytes()


@pytest.mark.parametrize(
    ("file", "container", "message"),
    [
        ("card.dd", "e01", "an E01 image is named like card.E01"),
        ("card.dd", {"format": "split", "segment_size": "1MiB"}, "named like card.dd.001"),
        ("card.001", {"format": "split"}, "give the segment size"),
    ],
)
def test_container_name_mismatch_is_a_recipe_error(tmp_path, file, container, message):
    with pytest.raises(RecipeError, match=message):
        build(tmp_path, [{**BASE, "file": file, "container": container}])
