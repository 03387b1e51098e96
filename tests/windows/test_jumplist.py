"""Jump Lists: our compound-file writer's AutomaticDestinations read back by olefile, lnkinfo and the kit.

The container is checked by olefile (the streams a Jump List has), each entry's shortcut by
lnkinfo, the DestList by the kit's reader against the layout libyal's dtformats documents
(32-byte header, 130-byte entry head, UTF-16 path, 4-byte tail). Planted through a recipe,
each entry takes its document's path, size, times and the volume serial from the item.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner
from windows_case import need

from forensics_kit.builder.windows.jumplist import JumpEntry, JumpList
from forensics_kit.builder.windows.lnk import Shortcut
from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.errors import EvidenceError
from forensics_kit.windows import read_jump_list

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "builder"))
from disk_helpers import build, fuse_available  # noqa: E402

T1 = datetime(2024, 4, 15, 6, 59, 6, tzinfo=UTC)
T2 = datetime(2024, 4, 17, 0, 59, 39, tzinfo=UTC)
NOTE = "C:\\Users\\anna\\Desktop\\car service.txt"
DRAFT = "C:\\Users\\anna\\Documents\\draft13.txt"


def _list() -> JumpList:
    links = [Shortcut(path, size=size, created=when, modified=when, accessed=when, volume_serial=0x9A6CDFC6,
                      volume_label="Windows", machine_id="NB-ZAKUP03") for path, size, when in
             ((NOTE, 59, T1), (DRAFT, 147, T2))]
    return JumpList([JumpEntry(links[0], T1, 3), JumpEntry(links[1], T2, 1, pinned=True)])


def test_olefile_sees_one_stream_per_entry_and_the_dest_list(tmp_path: Path) -> None:
    path = tmp_path / "9b9cdc69c1c24e2b.automaticDestinations-ms"
    path.write_bytes(_list().to_bytes())
    with olefile.OleFileIO(str(path)) as ole:
        assert sorted(ole.listdir()) == [["1"], ["2"], ["DestList"]]
        dest = ole.openstream("DestList").read()
        link = ole.openstream("2").read()
    version, count, pinned, _, last, _, revision, _ = struct.unpack_from("<IIIfIIII", dest)
    assert (version, count, pinned, last, revision) == (4, 2, 1, 2, 2)
    assert len(dest) == 32 + 2 * (130 + 4) + 2 * (len(NOTE) + len(DRAFT))
    (tmp_path / "2.lnk").write_bytes(link)
    out = subprocess.run([need("lnkinfo"), str(tmp_path / "2.lnk")], capture_output=True, text=True,
                         check=True).stdout
    peer = dict(re.findall(r"^\t([A-Z][A-Za-z ]+?)\s*: (.*)$", out, flags=re.MULTILINE))
    assert peer["Local path"] == DRAFT and peer["Drive serial number"] == "0x9a6cdfc6"
    assert peer["Machine identifier"] == "NB-ZAKUP03"


def test_the_kit_reads_each_entry_with_its_shortcut() -> None:
    entries = read_jump_list(_list().to_bytes(), name="jl")
    assert [(e.entry_number, e.path, e.last_access, e.access_count, e.pinned) for e in entries] == [
        (1, NOTE, "2024-04-15T06:59:06Z", 3, False), (2, DRAFT, "2024-04-17T00:59:39Z", 1, True)]
    assert entries[0].hostname == "nb-zakup03" and entries[1].link.local_path == DRAFT
    assert entries[1].link.size == 147 and entries[1].droid_file == entries[1].link.droid_file


def test_sigcheck_knows_a_jump_list_is_a_compound_file() -> None:
    from forensics_kit.disk.signatures import claimed_types, detect

    assert detect(_list().to_bytes()[:512]) == "ole2" and "ole2" in claimed_types("automaticdestinations-ms")


def test_a_file_that_is_no_jump_list_is_one_line_of_evidence_error() -> None:
    with pytest.raises(EvidenceError, match="not a Jump List"):
        read_jump_list(b"regf" + bytes(600), name="x")
    data = bytearray(_list().to_bytes())
    with olefile.OleFileIO(bytes(data)) as ole:
        dest = ole.openstream("DestList").read()
    at = bytes(data).index(dest[:32])
    data[at + 4:at + 8] = struct.pack("<I", 9)  # DestList claims nine entries
    with pytest.raises(EvidenceError, match="declares 9 entries but ends after 2") as cut:
        read_jump_list(bytes(data), name="jl")
    assert "\n" not in str(cut.value)


@pytest.mark.skipif(not fuse_available(), reason="NTFS items need ntfs-3g, FUSE and root")
def test_a_planted_jump_list_names_its_documents_as_the_volume_holds_them(tmp_path: Path) -> None:
    times = {"created": "2024-03-01T09:00:00Z", "modified": "2024-03-01T09:30:00Z"}
    where = "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/AutomaticDestinations/"
    disk = {"id": "disk", "type": "disk", "file": "ws.dd", "size": "10MiB", "scheme": "none",
            "filesystem": {"type": "ntfs", "label": "Windows", "subsecond": True},
            "items": [
                {"id": "plan", "path": "/Users/anna/Documents/plan.txt", "content": {"text": "x\n" * 70},
                 "times": times},
                {"id": "jl", "path": where + "9b9cdc69c1c24e2b.automaticDestinations-ms",
                 "content": {"generate": "jumplist", "machine_id": "WS01", "volume_label": "Windows",
                             "entries": [{"target_item": "plan", "accessed": "2024-03-01T09:30:05Z", "count": 2}]},
                 "times": {"created": "2024-03-01T09:30:06Z", "modified": "2024-03-01T09:30:06Z"}},
            ]}
    image = build(tmp_path, [disk]).directory / "ws.dd"
    with open_image(image) as img:
        entries = read_jump_list(img, where + "9b9cdc69c1c24e2b.automaticDestinations-ms")
        plan = next(r for r in img.walk() if r.path == "/Users/anna/Documents/plan.txt")
    link = entries[0].link
    assert entries[0].path == link.local_path == "C:\\Users\\anna\\Documents\\plan.txt"
    assert link.size == plan.size == 140 and link.modified[:23] == plan.mtime[:23]
    rows = [json.loads(line) for line in CliRunner().invoke(
        cli, ["disk", "jumplist", str(image), where + "9b9cdc69c1c24e2b.automaticDestinations-ms", "--json"]
    ).output.splitlines()]
    assert rows[0]["access_count"] == 2 and rows[0]["last_access"] == "2024-03-01T09:30:05Z"
    russian = CliRunner().invoke(cli, ["--lang", "ru", "disk", "jumplist", str(image),
                                       where + "9b9cdc69c1c24e2b.automaticDestinations-ms"]).output
    assert "Последнее открытие (UTC)" in russian and "Документ" in russian
    bad = CliRunner().invoke(cli, ["disk", "jumplist", str(image), "/Users/anna/Documents/plan.txt"])
    assert bad.exit_code == 1 and bad.output.strip().count("\n") == 0, bad.output


@pytest.mark.skipif(not fuse_available(), reason="NTFS items need ntfs-3g, FUSE and root")
def test_the_audit_holds_a_jump_list_to_its_documents_and_its_file_time(tmp_path: Path) -> None:
    from forensics_kit.builder import load_recipe
    from forensics_kit.builder.audit import audit_build

    times = {"created": "2024-03-01T09:00:00Z", "modified": "2024-03-01T09:30:00Z"}
    where = "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/AutomaticDestinations/"
    sound = {"target_item": "plan", "accessed": "2024-03-01T09:30:05Z"}
    wrong = {"target": "C:\\Users\\anna\\Documents\\plan.txt", "size": 99, "modified": "2024-03-01T09:30:00Z",
             "accessed": "2024-03-01T11:00:00Z"}  # another size, and opened after the list was last written
    for name, entry, expected in (("sound", sound, []), ("broken", wrong, ["late", "target"])):
        disk = {"id": "disk", "type": "disk", "file": "ws.dd", "size": "10MiB", "scheme": "none",
                "filesystem": {"type": "ntfs", "label": "Windows", "subsecond": True},
                "items": [
                    {"id": "plan", "path": "/Users/anna/Documents/plan.txt", "content": {"text": "x\n" * 70},
                     "times": times},
                    {"id": "jl", "path": where + "9b9cdc69c1c24e2b.automaticDestinations-ms",
                     "content": {"generate": "jumplist", "machine_id": "WS01", "entries": [entry]},
                     "times": {"created": "2024-03-01T09:30:06Z", "modified": "2024-03-01T09:30:06Z"}},
                ]}
        result = build(tmp_path / name, [disk])
        findings = audit_build(load_recipe(tmp_path / name / "t-disk.yaml"), result.directory,
                               only=["windows-jumplist"])
        kinds = sorted("late" if "after the file" in f.text["en"] else "target" for f in findings)
        assert kinds == expected, findings
