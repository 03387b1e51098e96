"""The acquisition record inside an E01 (examiner, case, stored hashes) and `fklab disk verify`."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_corpus import corpus_path

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image

from .conftest import need, run


@pytest.fixture(scope="module")
def acquired(fat16_image, tmp_path_factory) -> Path:
    """An E01 acquired from our FAT16 image with case metadata, as an examiner would."""
    need("ewfacquire")
    target = tmp_path_factory.mktemp("acq") / "stick"
    run(
        "ewfacquire",
        "-u",
        "-q",
        "-t",
        target,
        "-c",
        "none",
        "-d",
        "sha1",
        "-f",
        "encase6",
        "-C",
        "CASE-2024-117",
        "-D",
        "USB stick seized at 5 Elm St",
        "-e",
        "Insp. Petrova",
        "-E",
        "EXH-03",
        "-N",
        "write blocker WB-2",
        fat16_image.path,
    )
    return target.with_suffix(".E01")


def test_e01_record_names_examiner_case_and_stored_hashes(acquired: Path, fat16_image) -> None:
    raw = fat16_image.path.read_bytes()
    with open_image(acquired) as img:
        assert img.metadata["examiner_name"] == "Insp. Petrova"
        assert img.metadata["case_number"] == "CASE-2024-117"
        assert img.metadata["evidence_number"] == "EXH-03"
        assert img.metadata["notes"] == "write blocker WB-2"
        assert int(img.metadata["number_of_sectors"]) * 512 == len(raw)
        assert img.stored_hashes["md5"] == hashlib.md5(raw).hexdigest()
        assert img.stored_hashes["sha1"] == hashlib.sha1(raw).hexdigest()


@pytest.mark.skipif(shutil.which("ewfinfo") is None, reason="ewfinfo (ewf-tools) is not installed")
def test_e01_record_matches_ewfinfo(acquired: Path) -> None:
    out = subprocess.run(["ewfinfo", str(acquired)], capture_output=True, text=True, check=True).stdout
    with open_image(acquired) as img:
        assert f"Examiner name:\t\t{img.metadata['examiner_name']}" in out
        assert f"Case number:\t\t{img.metadata['case_number']}" in out
        assert f"MD5:\t\t\t{img.stored_hashes['md5']}" in out


def test_raw_image_has_no_acquisition_record(fat16_image) -> None:
    with open_image(fat16_image.path) as img:
        assert img.metadata == {} and img.stored_hashes == {}


def test_verify_recomputes_the_media_hashes_and_agrees(acquired: Path) -> None:
    result = CliRunner().invoke(cli, ["disk", "verify", str(acquired), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["verified"] is True
    assert record["computed_md5"] == record["stored_md5"] and record["computed_sha1"] == record["stored_sha1"]


def test_verify_of_a_raw_image_says_there_is_nothing_stored(fat16_image) -> None:
    result = CliRunner().invoke(cli, ["disk", "verify", str(fat16_image.path)])
    assert result.exit_code == 1 and "stores no acquisition hashes" in result.output


def test_corpus_e01_stored_md5_matches_img_stat() -> None:
    expected = corpus_path("expected", "images", "dfvfs", "image.E01.img_stat.txt").read_text()
    with open_image(corpus_path("images", "dfvfs", "image.E01")) as img:
        assert f"MD5 hash of data:\t{img.stored_hashes['md5']}" in expected
        assert img.metadata["examiner_name"] == "John Doe"


def test_disk_hash_of_an_e01_is_the_hash_of_its_media_not_of_the_container_file(acquired: Path, fat16_image) -> None:
    result = CliRunner().invoke(cli, ["disk", "hash", str(acquired), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sha256"] == hashlib.sha256(fat16_image.path.read_bytes()).hexdigest()
