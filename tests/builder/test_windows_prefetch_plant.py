"""Prefetch files and Recent shortcuts planted as recipe items take their facts from the volume they lie on.

A ``prefetch`` item with ``volume: this`` names the NTFS volume it is planted on, and a
``lnk`` with ``target_item`` copies its target's final path, size and times; the audit
rule ``windows-prefetch`` holds a .pf to its name, its volume and its file's time, and is
shown firing on each kind of broken file.
"""

from __future__ import annotations

import pytest
from disk_helpers import build, fuse_available

from forensics_kit.builder import load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.disk import open_image
from forensics_kit.windows import read_lnk, read_prefetch
from forensics_kit.windows.volume_serial import volume_serials

pytestmark = pytest.mark.skipif(not fuse_available(), reason="NTFS items need ntfs-3g, FUSE and root")

EXE = "C:\\Program Files\\7-Zip\\7zG.exe"
RUN = "2024-03-02T10:00:00Z"
ZIP_TIMES = {"created": RUN, "modified": RUN, "accessed": RUN}
ZIP = "/Users/anna/Downloads/plan.zip"


def _pf(item: str = "pf", path: str = "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf", modified: str = "2024-03-02T10:00:10Z",
        **volume) -> dict:
    content = {"generate": "prefetch", "executable": EXE, "run_times": [RUN, "2024-02-20T08:00:00Z"],
               "loaded": ["C:\\Users\\anna\\Downloads\\plan.zip"], **(volume or {"volume": "this"})}
    return {"id": item, "path": path, "content": content,
            "times": {"created": "2024-02-20T08:00:10Z", "modified": modified, "accessed": modified}}


def _disk(*prefetch: dict) -> dict:
    return {"id": "disk", "type": "disk", "file": "ws.dd", "size": "10MiB", "scheme": "none",
            "filesystem": {"type": "ntfs", "label": "Windows", "subsecond": True},
            "items": [
                {"id": "zip", "path": ZIP, "content": {"text": "PK not really\n" * 20}, "times": ZIP_TIMES},
                {"id": "exe", "path": "/Program Files/7-Zip/7zG.exe", "content": {"generate": "pe", "size": 2000},
                 "times": {"created": "2024-02-10T08:00:00Z", "modified": "2024-02-10T08:00:00Z"}},
                {"id": "recent", "path": "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/plan.zip.lnk",
                 "content": {"generate": "lnk", "target_item": "zip", "machine_id": "WS01"},
                 "times": {"created": "2024-03-02T10:00:01Z", "modified": "2024-03-02T10:00:01Z"}},
                *prefetch,
            ]}


@pytest.fixture(scope="module")
def sound(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pfplant")
    return folder, build(folder, [_disk(_pf())])


def test_the_prefetch_file_and_the_shortcut_name_the_volume_they_lie_on(sound):
    _, result = sound
    with open_image(result.directory / "ws.dd") as img:
        serial = volume_serials(img)[None]
        pf = read_prefetch(img, "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf")
        link = read_lnk(img, "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/plan.zip.lnk")
        record = next(r for r in img.walk() if r.path == ZIP)
    assert pf.volumes[0].serial == serial == link.volume_serial
    assert pf.volumes[0].device_path.endswith(serial.replace("-", "").lower() + "}")
    assert pf.last_run_times == [RUN, "2024-02-20T08:00:00Z"] and pf.files[0].endswith("\\DOWNLOADS\\PLAN.ZIP")
    assert link.local_path == "C:\\Users\\anna\\Downloads\\plan.zip" and link.size == record.size == 280
    assert link.modified[:23] == record.mtime[:23] and link.created[:23] == record.crtime[:23]


def test_a_sound_build_passes_the_prefetch_and_shortcut_rules(sound):
    folder, result = sound
    recipe = load_recipe(folder / "t-disk.yaml")
    assert audit_build(recipe, result.directory, only=["windows-prefetch", "windows-lnk-target"]) == []


def test_a_misnamed_early_or_foreign_prefetch_file_is_found(tmp_path):
    broken = [
        _pf("hash", "/Windows/Prefetch/7ZG.EXE-12345678.pf"),  # a hash Windows would not give 7zG.exe
        _pf("early", "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf", modified="2024-03-02T09:00:00Z"),  # before it ran
        _pf("other", "/Windows/Prefetch/RUN.EXE-0F8C4081.pf", volume_serial="1234-ABCD",  # another name and volume
            volume_created="2024-02-01T00:00:00Z"),
        {**_pf("gone", "/Windows/Prefetch/NOTEPAD.EXE-D8414F97.pf"),
         "content": {**_pf()["content"], "executable": "C:\\Windows\\System32\\notepad.exe"}},  # not planted
    ]
    result = build(tmp_path, [_disk(*broken)])
    findings = audit_build(load_recipe(tmp_path / "t-disk.yaml"), result.directory, only=["windows-prefetch"])
    got = sorted((f.where, f.text["en"].split(" ")[0]) for f in findings)
    assert got == [("/Windows/Prefetch/7ZG.EXE-0F8C4081.pf", "last"),
                   ("/Windows/Prefetch/7ZG.EXE-12345678.pf", "the"),
                   ("/Windows/Prefetch/NOTEPAD.EXE-D8414F97.pf", "NOTEPAD.EXE"),
                   ("/Windows/Prefetch/RUN.EXE-0F8C4081.pf", "names"),
                   ("/Windows/Prefetch/RUN.EXE-0F8C4081.pf", "the")], findings
