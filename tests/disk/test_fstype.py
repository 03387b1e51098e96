"""``fstype=`` / ``--fstype`` forces a file-system type where detection fails, as ``fls -f`` does.

The case from the field: a FAT32 boot sector on a volume with too few clusters for
FAT32 (mkfs.fat warns and writes it anyway). TSK's detection takes the cluster
count for FAT16 and gives up; forced to FAT32, it reads the volume.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.errors import EvidenceError, ForensicsKitError

from .conftest import need, parse_fls, run


@pytest.mark.crosscheck
def test_fat32_with_too_few_clusters_is_not_detected_by_the_kit_nor_by_fls(fat32_few_clusters):
    with pytest.raises(EvidenceError, match="not a disk image"):
        open_image(fat32_few_clusters.path)
    need("fls")
    with pytest.raises(RuntimeError, match="Cannot determine file system type"):
        run("fls", fat32_few_clusters.path)


@pytest.mark.crosscheck
def test_forced_fat32_lists_what_fls_f_fat32_lists_and_reads_what_icat_reads(fat32_few_clusters):
    need("fls", "icat")
    with open_image(fat32_few_clusters.path, fstype="fat32") as img:
        (fs,) = img.filesystems()
        assert (fs.type, fs.label) == ("FAT32", "FEWCLUS")
        ours = {(r.path, r.inode, r.allocated) for r in img.walk()}
        hello = next(r for r in img.walk() if r.path == "/HELLO.TXT")
        content = img.read("/HELLO.TXT")
    assert ours == parse_fls(run("fls", "-r", "-p", "-f", "fat32", fat32_few_clusters.path))
    assert content == fat32_few_clusters.files["/HELLO.TXT"]
    icat = run("icat", "-f", "fat32", fat32_few_clusters.path, str(hello.inode))
    assert icat.encode() == content


def test_forced_type_that_does_not_fit_says_what_tsk_found(fat32_few_clusters):
    with pytest.raises(EvidenceError) as caught:
        open_image(fat32_few_clusters.path, fstype="ntfs")
    message = str(caught.value)
    assert "fat32-few.dd: no ntfs file system found on this image (" in message and "NTFS" in message
    assert "\n" not in message


def test_unknown_type_names_the_known_ones(fat32_few_clusters):
    with pytest.raises(ForensicsKitError, match=r"unknown file-system type 'fat33' \(known: apfs, exfat, ext, ext2"):
        open_image(fat32_few_clusters.path, fstype="fat33")


def test_forced_type_applies_with_an_offset_and_in_partitions(fat32_few_clusters, tmp_path):
    data = fat32_few_clusters.path.read_bytes()
    shifted = tmp_path / "shifted.dd"
    shifted.write_bytes(bytes(2048 * 512) + data)
    with open_image(shifted, offset=2048, fstype="FAT32") as img:
        assert img.read("/HELLO.TXT") == fat32_few_clusters.files["/HELLO.TXT"]


# Every command that opens a file system takes --fstype (and -f, as fls does).
COMMANDS = [
    ["info"], ["partitions"], ["ls"], ["cat", "{img}", "/HELLO.TXT"], ["hash", "{img}", "/HELLO.TXT"],
    ["stat", "{img}", "/HELLO.TXT"], ["timeline"], ["timeline", "{img}", "--bodyfile"], ["sigcheck"],
    ["hashset", "{img}", "{known}"], ["export", "{img}", "/HELLO.TXT", "--out", "{out}"], ["verify"],
    ["bashhist", "{img}", "/HELLO.TXT"], ["yara", "{img}", "{rules}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(w for w in c if "{" not in w))
def test_every_disk_command_that_opens_a_file_system_takes_fstype(command, fat32_few_clusters, tmp_path):
    known = tmp_path / "known.txt"
    known.write_text("d41d8cd98f00b204e9800998ecf8427e\n")
    rules = tmp_path / "r.yar"
    rules.write_text('rule forced { strings: $a = "forced to FAT32" condition: $a }\n')
    words = command if len(command) > 1 else [command[0], "{img}"]
    args = [w.format(img=fat32_few_clusters.path, known=known, out=tmp_path / "out", rules=rules) for w in words]
    runner = CliRunner()
    refused = runner.invoke(cli, ["disk", *args])
    assert refused.exit_code == 1 and "not a disk image" in refused.stderr
    forced = runner.invoke(cli, ["disk", *args, "--fstype", "fat32"])
    if command == ["verify"]:  # a raw image has no stored hashes: the refusal is that, not the file system
        assert "stores no acquisition hashes" in forced.stderr
        return
    assert forced.exit_code == 0, forced.stderr
    assert runner.invoke(cli, ["disk", *args, "-f", "fat32"]).exit_code == 0


def test_forced_apfs_opens_through_pyfsapfs_and_says_when_there_is_no_container(fat32_few_clusters):
    with pytest.raises(EvidenceError, match=r"no apfs file system found on this image \(no APFS container superblock"):
        open_image(fat32_few_clusters.path, fstype="apfs")


@pytest.mark.parametrize("command", [["search", "{img}", "forced to FAT32"], ["yara", "{img}", "{rules}", "--raw"]],
                         ids=["search", "yara --raw"])
def test_raw_media_commands_read_a_blob_and_with_fstype_name_the_file_a_hit_is_in(command, fat32_few_clusters,
                                                                                 tmp_path):
    import json

    rules = tmp_path / "r.yar"
    rules.write_text('rule forced { strings: $a = "forced to FAT32" condition: $a }\n')
    args = [w.format(img=fat32_few_clusters.path, rules=rules) for w in command]
    runner = CliRunner()
    as_blob = runner.invoke(cli, ["disk", *args, "--json"])
    assert as_blob.exit_code == 0, as_blob.stderr
    assert {json.loads(line)["owner"]["kind"] for line in as_blob.stdout.splitlines()} == {"unpartitioned"}
    forced = runner.invoke(cli, ["disk", *args, "--json", "--fstype", "fat32"])
    assert forced.exit_code == 0, forced.stderr
    owners = [json.loads(line)["owner"] for line in forced.stdout.splitlines()]
    assert owners and {o.get("path") for o in owners} == {"/HELLO.TXT"}


def test_carve_takes_fstype_and_strict(fat32_few_clusters, tmp_path):
    runner = CliRunner()
    for extra in ([], ["--fstype", "fat32"], ["-f", "fat32", "--strict"]):
        out = tmp_path / f"out{len(extra)}"
        result = runner.invoke(cli, ["disk", "carve", str(fat32_few_clusters.path), "--out", str(out), *extra])
        assert result.exit_code == 0, result.stderr
