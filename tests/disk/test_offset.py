"""Opening a file system at a sector the partition table does not list (like `fls -o`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.errors import EvidenceError

SECTOR = 2048


@pytest.fixture(scope="module")
def unlisted(fat16_image, tmp_path_factory) -> Path:
    """Our FAT16 volume 1 MiB into a disk whose partition table is blank (a wiped entry)."""
    path = tmp_path_factory.mktemp("offset") / "wiped.dd"
    path.write_bytes(bytes(SECTOR * 512) + fat16_image.path.read_bytes() + bytes(512 * 64))
    return path


def test_without_offset_the_volume_is_not_found(unlisted: Path) -> None:
    with pytest.raises(EvidenceError):
        open_image(unlisted)


def test_with_offset_the_volume_is_walked_and_read(unlisted: Path, fat16_image) -> None:
    with open_image(unlisted, offset=SECTOR) as img:
        (fs,) = img.filesystems()
        assert fs.offset == SECTOR * 512 and fs.type == "FAT16" and fs.partition is None
        paths = {r.path for r in img.walk()}
        for path, content in fat16_image.files.items():
            assert path in paths
            assert img.read(path) == content


def test_offset_where_there_is_no_file_system_is_a_clear_error(unlisted: Path) -> None:
    with pytest.raises(EvidenceError, match="no file system TSK knows at byte 512 \\(sector 1\\)"):
        open_image(unlisted, offset=1)


@pytest.mark.skipif(shutil.which("fls") is None, reason="The Sleuth Kit (fls) is not installed")
def test_cli_ls_with_offset_lists_what_fls_o_lists(unlisted: Path) -> None:
    result = CliRunner().invoke(cli, ["disk", "ls", str(unlisted), "-o", str(SECTOR), "--json"])
    assert result.exit_code == 0, result.output
    ours = {(r["inode"], r["allocated"]) for r in map(json.loads, result.stdout.splitlines())}
    out = subprocess.run(["fls", "-r", "-p", "-o", str(SECTOR), str(unlisted)], capture_output=True, text=True,
                         check=True).stdout
    theirs = set()
    for line in out.splitlines():
        match = re.match(r"^\S+\s+(\*\s+)?(\d+)", line)
        theirs.add((int(match.group(2)), match.group(1) is None))
    assert ours == theirs
