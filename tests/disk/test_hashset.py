"""match_hashset: known hashes (MD5/SHA-1/SHA-256 mixed, md5sum lines) found among live and deleted files."""

from __future__ import annotations

import hashlib
import subprocess

import pytest

from forensics_kit.disk import open_image
from forensics_kit.disk.hashset import load_hashset, match_hashset
from forensics_kit.errors import ForensicsKitError


def test_mixed_hash_set_finds_live_and_deleted_files(ext4_image, tmp_path):
    todo = ext4_image.files["/home/user/todo.txt"]
    gone = ext4_image.deleted["/home/user/evidence.txt"]
    photo = ext4_image.files["/home/user/photo.jpg"]
    known = tmp_path / "known.txt"
    known.write_text(
        "# known-bad hashes from the case officer\n"
        f"{hashlib.md5(todo).hexdigest().upper()}\n"
        f"{hashlib.sha256(gone).hexdigest()}  evidence-copy.txt\n"
        f"{hashlib.sha1(photo).hexdigest()} *photo.jpg\n"
        "\n"
        f"{hashlib.md5(b'not on the image').hexdigest()}\n"
    )
    with open_image(ext4_image.path) as img:
        matches = {m.path: m for m in match_hashset(img, known)}
    assert set(matches) == {"/home/user/todo.txt", "/home/user/evidence.txt", "/home/user/photo.jpg"}
    assert matches["/home/user/todo.txt"].algorithm == "md5"
    assert matches["/home/user/evidence.txt"].allocated is False
    assert matches["/home/user/evidence.txt"].label == "evidence-copy.txt"
    assert matches["/home/user/photo.jpg"].algorithm == "sha1"


def test_md5sum_output_is_a_hash_set(fat16_image, tmp_path):
    for name, data in fat16_image.files.items():
        (tmp_path / name.rsplit("/", 1)[1]).write_bytes(data)
    files = sorted(p.name for p in tmp_path.iterdir())
    sums = subprocess.run(["md5sum", *files], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    (tmp_path / "known.md5").write_text(sums)
    with open_image(fat16_image.path) as img:
        found = {m.path for m in match_hashset(img, tmp_path / "known.md5")}
    assert found == set(fat16_image.files)


def test_a_line_that_is_not_a_hash_is_named(tmp_path):
    known = tmp_path / "known.txt"
    known.write_text("# ok\nd41d8cd98f00b204e9800998ecf8427e\nnot-a-hash\n")
    with pytest.raises(ForensicsKitError, match="line 3"):
        load_hashset(known)
    with pytest.raises(ForensicsKitError, match="cannot read"):
        load_hashset(tmp_path / "missing.txt")
    known.write_text("abc123\n")  # hex but not an MD5/SHA length
    with pytest.raises(ForensicsKitError, match="32, 40 or 64"):
        load_hashset(known)
