"""Evidence integrity: no fklab disk command changes the image (bytes or mtime); image hashes are media hashes."""

from __future__ import annotations

import hashlib
import os
import shutil

from click.testing import CliRunner

from forensics_kit.cli.main import cli, load_command
from forensics_kit.hashing import hash_file, hash_image

from .conftest import to_e01

# Arguments for the commands we know; any other disk command found is run with the image alone.
KNOWN = {
    "info": [],
    "partitions": [],
    "ls": ["--json"],
    "cat": ["/DOCS/notes.txt"],
    "hash": [],
    "export": ["--all", "--out", "{out}/export"],
    "timeline": ["--bodyfile"],
    "sigcheck": [],
    "hashset": ["{out}/known.txt"],
    "verify": [],
    "carve": ["--out", "{out}/carve"],
    "search": ["meeting"],
    "yara": ["{out}/rule.yar"],
}


def _state(path) -> tuple[str, int, int]:
    st = os.stat(path)
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_size


def test_no_disk_command_changes_the_evidence(fat16_image, tmp_path):
    image = tmp_path / "evidence" / "usb.dd"
    image.parent.mkdir()
    shutil.copy2(fat16_image.path, image)
    out = tmp_path / "out"
    out.mkdir()
    (out / "known.txt").write_text(hashlib.md5(b"meeting at 10:00\n" * 40).hexdigest() + "\n")
    (out / "rule.yar").write_text('rule r { strings: $a = "meeting" condition: $a }\n')
    before = _state(image)
    runner = CliRunner()
    ran = []
    disk_group = load_command("disk")  # with its extension modules, as `fklab disk` loads it
    for name in sorted(disk_group.commands):
        if name == "custody":
            args = [["custody", "add", str(image), "--log", str(out / "case.log"), "--examiner", "T", "--action", "x"],
                    ["custody", "verify", "--log", str(out / "case.log")]]
        else:
            extra = [a.format(out=out) for a in KNOWN.get(name, [])]
            args = [[name, str(image), *extra]]
        for argv in args:
            result = runner.invoke(cli, ["disk", *argv])
            ran.append((argv[0], result.exit_code))
            assert _state(image) == before, f"fklab disk {' '.join(argv)} changed the evidence"
    codes = dict(ran)
    for name in ("info", "ls", "cat", "hash", "export", "timeline", "sigcheck", "hashset", "custody"):
        assert codes.get(name) == 0, (name, ran)
    assert not list(image.parent.glob("*.log")) and sorted(os.listdir(image.parent)) == ["usb.dd"]


def test_image_hash_of_an_e01_is_the_hash_of_the_raw_media(fat16_image, tmp_path):
    e01 = to_e01(fat16_image.path, tmp_path / "usb")
    assert hash_image(e01) == hash_file(fat16_image.path)
    assert hash_file(e01) != hash_file(fat16_image.path)  # the container file itself differs


def test_image_hash_of_a_raw_image_is_its_file_hash_with_progress(fat16_image):
    seen = []
    assert hash_image(fat16_image.path, ["sha256"], lambda s, d, t: seen.append((d, t))) == hash_file(
        fat16_image.path, ["sha256"]
    )
    assert seen[-1][0] == seen[-1][1] == fat16_image.path.stat().st_size


def test_hash_verify_option_exits_1_on_mismatch(fat16_image):
    runner = CliRunner()
    good = hash_file(fat16_image.path)["sha256"]
    assert runner.invoke(cli, ["disk", "hash", str(fat16_image.path), "--verify", good]).exit_code == 0
    assert runner.invoke(cli, ["disk", "hash", str(fat16_image.path), "--verify", "0" * 64]).exit_code == 1
