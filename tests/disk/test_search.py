"""Keyword search over whole images: live files, deleted files, slack, unallocated space."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from forensics_kit.disk import open_image
from forensics_kit.disk.search import build_search_rules, search_image
from forensics_kit.errors import ForensicsKitError
from forensics_kit.yara import YaraRuleError

from .conftest import SECTOR, need, run

PHRASE = "Operation Nightjar"


@dataclass
class Planted:
    path: Path
    offsets: dict[str, int]  # where -> absolute offset of PHRASE (ASCII)


def _first_sector(image: Path, inode: int) -> int:
    """First data sector of a FAT file, from istat's 'Sectors:' list."""
    need("istat")
    text = run("istat", image, str(inode))
    return int(text.split("Sectors:")[1].split()[0])


def _inode(image: Path, name: str) -> int:
    need("fls")
    for line in run("fls", "-r", "-p", image).splitlines():
        head, path = line.split(":\t", 1)
        if path == name:
            return int(head.split()[-1])
    raise AssertionError(f"{name} not in fls output")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    """FAT16 with the phrase in a live file, a deleted file, a file's slack and unallocated space."""
    need("mkfs.fat", "mcopy", "mdel")
    work = tmp_path_factory.mktemp("search")
    image = work / "fat.dd"
    run("mkfs.fat", "-F", "16", "-s", "2", "-n", "SEARCH", "-C", image, "8192")
    files = {
        "LIVE.TXT": b"notes... " + PHRASE.encode() + b" at dawn\n",
        "WIDE.TXT": b"\xff\xfe" + ("memo: " + PHRASE.upper()).encode("utf-16le"),
        "GONE.TXT": b"deleted: " + PHRASE.encode() + b"\n",
        "SHORT.TXT": b"short file, 1 KiB cluster\n",
    }
    for name, data in files.items():
        (work / name).write_bytes(data)
        run("mcopy", "-i", image, work / name, "::" + name)
    run("mdel", "-i", image, "::GONE.TXT")
    offsets = {}
    for name, where in (("LIVE.TXT", "live"), ("GONE.TXT", "deleted")):
        data = files[name]
        sector = _first_sector(image, _inode(image, name if where == "live" else "_ONE.TXT"))
        offsets[where] = sector * SECTOR + data.index(PHRASE.encode())
    short = _first_sector(image, _inode(image, "SHORT.TXT"))
    offsets["slack"] = short * SECTOR + len(files["SHORT.TXT"]) + 10
    offsets["unallocated"] = image.stat().st_size - 5000
    offsets["wide"] = _first_sector(image, _inode(image, "WIDE.TXT")) * SECTOR + 2 + 12
    with open(image, "r+b") as out:
        for where in ("slack", "unallocated"):
            out.seek(offsets[where])
            out.write(PHRASE.encode())
    return Planted(image, offsets)


def test_phrase_found_in_live_deleted_slack_and_unallocated_with_right_owners(planted: Planted) -> None:
    hits = list(search_image(planted.path, [PHRASE.lower()]))
    by_offset = {h.offset: h for h in hits}
    o = planted.offsets
    assert set(by_offset) == {o["live"], o["deleted"], o["slack"], o["unallocated"], o["wide"]}
    live, gone, slack = by_offset[o["live"]].owner, by_offset[o["deleted"]].owner, by_offset[o["slack"]].owner
    assert (live.kind, live.path, live.deleted) == ("file", "/LIVE.TXT", False)
    assert (gone.kind, gone.path, gone.deleted) == ("file", "/_ONE.TXT", True)
    assert (slack.kind, slack.path) == ("slack", "/SHORT.TXT")
    assert by_offset[o["unallocated"]].owner.kind == "unallocated"
    assert live.inode == _inode(planted.path, "LIVE.TXT")


def test_utf16le_hit_is_labelled_and_has_readable_context(planted: Planted) -> None:
    hits = [h for h in search_image(planted.path, [PHRASE]) if h.encoding == "utf-16le"]
    assert [h.offset for h in hits] == [planted.offsets["wide"]]
    assert hits[0].length == 2 * len(PHRASE)
    assert "memo: OPERATION NIGHTJAR" in hits[0].context
    assert hits[0].owner.path == "/WIDE.TXT"


def test_case_sensitive_search_skips_other_cases(planted: Planted) -> None:
    hits = list(search_image(planted.path, [PHRASE.lower()], ignore_case=False))
    assert hits == []
    assert len(list(search_image(planted.path, [PHRASE], ignore_case=False, encodings=("ascii",)))) == 4


def test_term_across_a_window_boundary_is_found_once(tmp_path: Path) -> None:
    blob = bytearray(b"\x00" * 20000)
    for at in (4096 - 7, 8192 - 1, 100):
        blob[at: at + len(PHRASE)] = PHRASE.encode()
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(blob))
    hits = list(search_image(path, [PHRASE], window=4096, overlap=256))
    assert [h.offset for h in hits] == [100, 4096 - 7, 8192 - 1]
    assert {h.owner.kind for h in hits} == {"unpartitioned"}


def test_regex_and_several_terms_in_one_pass(planted: Planted) -> None:
    hits = list(search_image(planted.path, ["dawn", "cluster"], regexes=[r"Night[a-z]{3}"]))
    terms = {(h.term, h.encoding) for h in hits}
    assert ("dawn", "ascii") in terms and ("cluster", "ascii") in terms
    assert (r"Night[a-z]{3}", "utf-16le") in terms
    assert sum(1 for h in hits if h.term == r"Night[a-z]{3}") == 5


def test_cyrillic_term_matches_utf8_cp1251_and_utf16_regardless_of_case(tmp_path: Path) -> None:
    word = "Пароль"
    path = tmp_path / "ru.bin"
    path.write_bytes(b"\0" * 50 + "ПАРОЛЬ".encode() + b"\0" * 50 + word.lower().encode("cp1251")
                     + b"\0" * 50 + word.encode("utf-16le"))
    hits = list(search_image(path, [word], encodings=("ascii", "utf-16le", "cp1251")))
    assert sorted((h.encoding, h.context.strip(".")) for h in hits) == [
        ("cp1251", "пароль"), ("utf-16le", "Пароль"), ("utf-8", "ПАРОЛЬ")]


def test_partition_limits_the_search_to_its_file_system(mbr_image) -> None:
    with open_image(mbr_image.path) as img:
        fat_part, ext_part = (fs.partition for fs in img.filesystems())
        in_ext = list(search_image(img, ["buy milk"], partition=ext_part))
        in_fat = list(search_image(img, ["buy milk"], partition=fat_part))
    assert [(h.owner.path, h.owner.partition) for h in in_ext] == [("/home/user/todo.txt", ext_part)]
    assert in_fat == []


def test_bad_regex_names_the_regex() -> None:
    with pytest.raises(YaraRuleError, match=r"^search: '\(unclosed' \(ascii\): "):
        build_search_rules([], [r"(unclosed"])
    with pytest.raises(ForensicsKitError, match="empty search term"):
        build_search_rules([""])


@pytest.mark.crosscheck
def test_hit_offsets_equal_grep_byte_offsets(planted: Planted) -> None:
    if shutil.which("grep") is None:
        pytest.skip("grep is not installed")
    proc = subprocess.run(["grep", "-a", "-o", "-b", "-F", PHRASE, str(planted.path)], capture_output=True, check=False)
    theirs = sorted(int(m.group(1)) for m in re.finditer(rb"^(\d+):", proc.stdout, re.MULTILINE))
    ours = [h.offset for h in search_image(planted.path, [PHRASE], ignore_case=False, encodings=("ascii",))]
    assert ours == theirs and len(theirs) == 4


def test_literal_fast_path_and_yara_pass_give_the_same_hits(planted: Planted, tmp_path: Path) -> None:
    """One or two patterns go through bytes.find, more through one YARA rule: same answers."""
    terms = [PHRASE, "dawn", "cluster"]
    together = list(search_image(planted.path, terms))  # 6 patterns: YARA
    alone = sorted((h for t in terms for h in search_image(planted.path, [t])), key=lambda h: (h.offset, h.term))
    assert sorted(together, key=lambda h: (h.offset, h.term)) == alone and len(alone) == 7
    blob = tmp_path / "edge.bin"
    blob.write_bytes(b"\x00" * 4090 + b"dawn" + b"\x00" * 5000)
    hits = list(search_image(blob, terms, window=4096, overlap=64))
    assert [(h.term, h.offset) for h in hits] == [("dawn", 4090)]


EMAIL = r"[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,}"


def test_regex_gives_one_hit_per_match_not_one_per_suffix(tmp_path: Path) -> None:
    blob = b"\x00mail d.lisin@x.ru and k.orlov@mail.example.com\x00\x00" + "m.ivanova@y.ru".encode("utf-16le")
    path = tmp_path / "mail.bin"
    path.write_bytes(blob)
    hits = list(search_image(path, [], regexes=[EMAIL]))
    assert [(h.matched, h.encoding) for h in hits] == [
        ("d.lisin@x.ru", "ascii"), ("k.orlov@mail.example.com", "ascii"), ("m.ivanova@y.ru", "utf-16le")]
    assert hits[0].offset == blob.index(b"d.lisin") and hits[0].length == len("d.lisin@x.ru")
    assert hits[0].to_dict()["matched"] == "d.lisin@x.ru"


def test_regex_match_straddling_a_window_edge_is_reported_once(tmp_path: Path) -> None:
    blob = bytearray(b"\x00" * 10000)
    blob[4090:4090 + 20] = b"long.name.here@x.ru "
    path = tmp_path / "edge.bin"
    path.write_bytes(bytes(blob))
    hits = list(search_image(path, [], regexes=[EMAIL], encodings=("ascii",), window=4096, overlap=256))
    assert [(h.offset, h.matched) for h in hits] == [(4090, "long.name.here@x.ru")]


def test_keyword_hits_carry_the_matched_text(planted: Planted) -> None:
    hits = list(search_image(planted.path, [PHRASE.lower()]))
    assert {h.matched for h in hits} == {PHRASE, PHRASE.upper()}
