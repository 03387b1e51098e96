"""Carving: every planted file comes back whole, from unallocated space only by default."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from forensics_kit.disk.carving import SIGNATURES, carve, signatures_for, write_report
from forensics_kit.errors import ForensicsKitError

from . import carve_samples
from .conftest import need, run


@pytest.fixture(scope="module")
def blob(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, tuple[str, bytes]]]:
    path = tmp_path_factory.mktemp("carve") / "blob.bin"
    return path, carve_samples.make_blob(path, 6 << 20, 30)


def test_every_planted_file_is_carved_whole_with_its_type(blob, tmp_path: Path) -> None:
    path, planted = blob
    found = {c.offset: c for c in carve(path, tmp_path / "out")}
    assert set(found) == set(planted)
    for offset, (kind, data) in planted.items():
        carved = found[offset]
        assert carved.type == kind and carved.source == "raw"
        assert carved.md5 == hashlib.md5(data).hexdigest()
        assert (tmp_path / "out" / f"{offset}.{kind}").read_bytes() == data


def test_types_filter_and_unknown_type_names_the_known_ones(blob, tmp_path: Path) -> None:
    path, planted = blob
    found = list(carve(path, tmp_path, types=["png", "jpeg"]))
    assert sorted(c.offset for c in found) == sorted(o for o, (k, _) in planted.items() if k in ("png", "jpg"))
    with pytest.raises(ForensicsKitError, match=r"unknown file type 'bmp' \(known: gif, jpg, pdf, png, zip\)"):
        signatures_for(["bmp"])


def test_truncated_and_chance_headers_are_not_carved(tmp_path: Path) -> None:
    rng = random.Random(3)
    png = carve_samples.png(rng)
    data = b"\x00" * 100 + png[: len(png) // 2] + b"\x89PNG\r\n\x1a\n garbage" + b"\xff\xd8\xff\x00" + b"\x00" * 100
    path = tmp_path / "bad.bin"
    path.write_bytes(data)
    assert list(carve(path, tmp_path / "out")) == []


def test_zip_members_are_not_carved_again_and_pdf_runs_to_its_last_eof(tmp_path: Path) -> None:
    rng = random.Random(5)
    pdf, archive = carve_samples.pdf(rng), carve_samples.zip_file(rng)
    path = tmp_path / "two.bin"
    path.write_bytes(b"\x00" * 512 + pdf + b"\x00" * 512 + archive + b"\x00" * 10)
    found = [(c.offset, c.type, c.size) for c in carve(path, tmp_path / "out")]
    assert found == [(512, "pdf", len(pdf)), (1024 + len(pdf), "zip", len(archive))]
    assert pdf.count(b"%%EOF") == 2


def test_report_lists_each_file_with_hashes(blob, tmp_path: Path) -> None:
    path, planted = blob
    found = list(carve(path, tmp_path, types=["gif"]))
    csv_path, json_path = write_report(found, tmp_path)
    rows = json.loads(json_path.read_text())
    assert [r["offset"] for r in rows] == sorted(o for o, (k, _) in planted.items() if k == "gif")
    assert csv_path.read_text().splitlines()[0] == "offset,size,type,name,md5,sha256,source"
    assert all(len(r["sha256"]) == 64 for r in rows)


def test_image_is_carved_in_unallocated_space_only_unless_all(tmp_path: Path) -> None:
    """A PNG in a live file is skipped; the same PNG deleted is carved (source unallocated)."""
    need("mkfs.fat", "mcopy", "mdel")
    rng = random.Random(9)
    kept, gone = carve_samples.png(rng), carve_samples.gif(rng)
    image = tmp_path / "fat.dd"
    run("mkfs.fat", "-F", "16", "-s", "2", "-C", image, "8192")
    for name, data in (("KEPT.PNG", kept), ("GONE.GIF", gone)):
        (tmp_path / name).write_bytes(data)
        run("mcopy", "-i", image, tmp_path / name, "::" + name)
    run("mdel", "-i", image, "::GONE.GIF")
    unalloc = list(carve(image, tmp_path / "u"))
    assert [(c.type, c.md5, c.source) for c in unalloc] == [("gif", hashlib.md5(gone).hexdigest(), "unallocated")]
    everything = {c.type for c in carve(image, tmp_path / "a", all_media=True)}
    assert everything == {"png", "gif"}


def test_signature_registry_holds_one_class_per_type() -> None:
    assert set(SIGNATURES) == {"jpg", "png", "gif", "pdf", "zip"}
    assert all(sig.headers and sig.max_size > 0 for sig in signatures_for())


@pytest.mark.crosscheck
def test_we_find_at_least_every_file_foremost_finds(blob, tmp_path: Path) -> None:
    if shutil.which("foremost") is None:
        pytest.skip("foremost is not installed")
    path, _planted = blob
    out = tmp_path / "foremost"
    subprocess.run(["foremost", "-q", "-t", "jpg,png,gif,pdf,zip", "-i", str(path), "-o", str(out)],
                   capture_output=True, check=True)
    theirs = {int(f.stem) * 512 for f in out.rglob("*") if f.is_file() and f.stem.isdigit()}
    assert len(theirs) >= 25
    ours = {c.offset for c in carve(path, tmp_path / "ours")}
    assert theirs <= ours


def test_carving_never_writes_through_a_link_or_over_a_file_already_in_out(blob, tmp_path: Path) -> None:
    """A planted symlink named like a carved file, and a file from an earlier run, stay as they were."""
    path, planted = blob
    offset, (kind, data) = min((o, v) for o, v in planted.items() if v[0] == "gif")
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("not to be touched\n")
    (out / f"{offset}.{kind}").symlink_to(victim)
    (out / "report.csv").write_text("an earlier report\n")
    (out / "report.json").symlink_to(victim)
    found = list(carve(path, out, types=["gif"]))
    csv_path, json_path = write_report(found, out)
    assert victim.read_text() == "not to be touched\n"
    assert (out / "report.csv").read_text() == "an earlier report\n"
    first = next(c for c in found if c.offset == offset)
    assert first.name == f"{offset} (2).{kind}" and (out / first.name).read_bytes() == data
    assert (csv_path.name, json_path.name) == ("report (2).csv", "report (2).json")
    assert json.loads(json_path.read_text())[0]["name"] == first.name


def test_carving_into_a_folder_that_is_a_file_is_one_error(blob, tmp_path: Path) -> None:
    path, _ = blob
    (tmp_path / "out").write_text("a file")
    with pytest.raises(ForensicsKitError, match="cannot use as output folder"):
        list(carve(path, tmp_path / "out"))
