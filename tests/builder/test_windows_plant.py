"""Windows artefacts planted as recipe items: hives and event logs in an NTFS image, times agreeing.

The ``evtx`` and ``registry_hive`` generators build their files with the byte-real
writers; planted in an NTFS volume, the kit reads them back from the image, the file's
NTFS times are the recipe's, and the audit ties the two (windows-artefact-times,
windows-service-key).
"""

from __future__ import annotations

import random

import pytest
from disk_helpers import build, fuse_available

from forensics_kit.builder import load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.builder.contents.windows_artefacts import expand_events
from forensics_kit.disk import open_image
from forensics_kit.windows import open_hive, read_events, read_lnk, recycle_bin

pytestmark = pytest.mark.skipif(not fuse_available(), reason="NTFS items need ntfs-3g, FUSE and root")

IMAGE_PATH = "C:\\ProgramData\\Intel\\upd.exe"


def _disk(service_path: str = IMAGE_PATH, log_modified: str = "2024-03-02T10:05:00Z") -> dict:
    hive = {"generate": "registry_hive", "hive": "system", "computer": "SRV01", "installed": "2024-02-02T08:00:00Z",
            "time_zone": {"name": "Russian Standard Time", "bias": -180},
            "services": [{"name": "UpdSvc", "image_path": IMAGE_PATH, "time": "2024-03-02T10:00:00Z"}]}
    log = {"generate": "evtx", "computer": "SRV01", "events": [
        {"id": 4625, "until": "2024-03-02T09:50:00Z", "count": 12, "interval": 3,
         "cycle": {"TargetUserName": ["admin", "test"]},
         "data": {"TargetUserSid": "S-1-0-0", "Status": "0xc000006d", "LogonType": 3, "IpAddress": "203.0.113.7"}},
        {"id": 4624, "time": "2024-03-02T09:50:00Z",
         "data": {"TargetUserName": "buh", "LogonType": 10, "IpAddress": "203.0.113.7"}},
    ]}
    system_log = {"generate": "evtx", "computer": "SRV01", "events": [
        {"id": 7045, "time": "2024-03-02T10:00:00Z", "data": {"ServiceName": "UpdSvc", "ImagePath": service_path}}]}
    return {"id": "disk", "type": "disk", "file": "srv.dd", "size": "10MiB", "scheme": "none",
            "filesystem": {"type": "ntfs", "label": "System", "subsecond": True},
            "items": [
                {"id": "system", "path": "/Windows/System32/config/SYSTEM", "content": hive,
                 "times": {"created": "2024-02-02T08:00:00Z", "modified": "2024-03-02T10:00:00Z"}},
                {"id": "security", "path": "/Windows/System32/winevt/Logs/Security.evtx", "content": log,
                 "times": {"created": "2024-02-02T08:00:00Z", "modified": log_modified}},
                {"id": "syslog", "path": "/Windows/System32/winevt/Logs/System.evtx", "content": system_log,
                 "times": {"created": "2024-02-02T08:00:00Z", "modified": "2024-03-02T10:00:01Z"}},
            ]}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("winplant")
    return folder, build(folder, [_disk()])


def test_planted_hive_and_logs_read_back_from_the_image_with_the_recipes_times(planted):
    _, result = planted
    with open_image(result.directory / "srv.dd") as img:
        records = {r.path: r for r in img.walk()}
        events = read_events(img, "/Windows/System32/winevt/Logs/Security.evtx")
        with open_hive(img, "C:\\Windows\\System32\\config\\SYSTEM") as system:
            name = system.value_data("ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName")
            service = system.key("ControlSet001\\Services\\UpdSvc")
    assert name == "SRV01"
    assert service.get("ImagePath") == IMAGE_PATH and service.last_written == "2024-03-02T10:00:00Z"
    assert [e.event_id for e in events] == [4625] * 12 + [4624]
    assert [e.record_id for e in events] == list(range(1, 14))
    assert events[-1].time.startswith("2024-03-02T09:50:00.")  # Windows stamps events to 100 ns
    assert events[-2].time < events[-1].time
    assert {e.data["TargetUserName"] for e in events[:-1]} == {"admin", "test"}
    assert records["/Windows/System32/winevt/Logs/Security.evtx"].mtime.startswith("2024-03-02T10:05:00")


def test_a_guessing_run_given_until_ends_one_interval_before_the_logon() -> None:
    spec = {"events": [{"id": 4625, "until": "2024-03-02T09:50:00Z", "count": 5, "interval": 4}]}
    times = [t for _, t, _ in expand_events(spec, random.Random(1))]
    assert len(times) == 5 and times == sorted(times)
    assert times[-1].isoformat() == "2024-03-02T09:49:56+00:00"


def test_a_sound_windows_build_passes_the_windows_rules(planted):
    folder, result = planted
    recipe = load_recipe(folder / "t-disk.yaml")
    assert audit_build(recipe, result.directory, only=["windows-artefact-times", "windows-service-key"]) == []


def test_a_log_last_modified_before_its_last_event_is_found(tmp_path):
    result = build(tmp_path, [_disk(log_modified="2024-03-02T09:00:00Z")])
    findings = audit_build(load_recipe(tmp_path / "t-disk.yaml"), result.directory, only=["windows-artefact-times"])
    assert [(f.rule, f.where) for f in findings] == [
        ("windows-artefact-times", "/Windows/System32/winevt/Logs/Security.evtx")]
    assert "holds 2024-03-02T09:50:00." in findings[0].text["en"]  # the logon, to 100 ns


def test_a_7045_whose_image_path_the_system_hive_does_not_hold_is_found(tmp_path):
    result = build(tmp_path, [_disk(service_path="C:\\Windows\\Temp\\other.exe")])
    findings = audit_build(load_recipe(tmp_path / "t-disk.yaml"), result.directory, only=["windows-service-key"])
    assert len(findings) == 1 and "other.exe" in findings[0].text["en"]


def _profile(lnk_size: int | None = None, recycled_size: int | None = None) -> dict:
    doc = "Quarterly plan, draft 3\n" * 40
    sid = "S-1-5-21-1111111111-2222222222-3333333333-1001"
    times = {"created": "2024-03-01T09:00:00Z", "modified": "2024-03-01T09:30:00Z", "accessed": "2024-03-01T09:30:00Z"}
    lnk = {"generate": "lnk", "target": "C:\\Users\\anna\\Documents\\plan.txt", "size": lnk_size or len(doc),
           "created": times["created"], "modified": times["modified"], "accessed": times["accessed"],
           "volume_serial": "1A2B-3C4D", "volume_label": "Windows", "machine_id": "ws01"}
    gone = "secret numbers\n" * 30
    return {"id": "disk", "type": "disk", "file": "ws.dd", "size": "10MiB", "scheme": "none",
            "filesystem": {"type": "ntfs", "label": "Windows", "subsecond": True},
            "items": [
                {"id": "plan", "path": "/Users/anna/Documents/plan.txt", "content": {"text": doc}, "times": times},
                {"id": "recent", "path": "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/plan.txt.lnk",
                 "content": lnk, "times": {"created": "2024-03-01T09:30:01Z", "modified": "2024-03-01T09:30:01Z"}},
                {"id": "info", "path": f"/$Recycle.Bin/{sid}/$IAB12CD.txt",
                 "content": {"generate": "recycle_info", "original_path": "C:\\Users\\anna\\Documents\\numbers.txt",
                             "size": recycled_size or len(gone), "deleted": "2024-03-02T12:00:00Z"},
                 "times": {"created": "2024-03-02T12:00:00Z", "modified": "2024-03-02T12:00:00Z"}},
                {"id": "data", "path": f"/$Recycle.Bin/{sid}/$RAB12CD.txt", "content": {"text": gone},
                 "times": {"created": "2024-03-01T10:00:00Z", "modified": "2024-03-01T10:00:00Z"}},
            ]}


_PAIR_RULES = ["windows-lnk-target", "windows-recycle-pair"]


def test_a_shortcut_and_a_recycled_pair_that_agree_with_their_files_are_clean(tmp_path):
    result = build(tmp_path, [_profile()])
    with open_image(result.directory / "ws.dd") as img:
        entries = recycle_bin(img)
        link = read_lnk(img, "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/plan.txt.lnk")
    assert [(e.original_path, e.deleted, e.data_present) for e in entries] == [
        ("C:\\Users\\anna\\Documents\\numbers.txt", "2024-03-02T12:00:00Z", True)]
    assert link.modified == "2024-03-01T09:30:00Z" and link.volume_serial == "1A2B-3C4D"
    assert audit_build(load_recipe(tmp_path / "t-disk.yaml"), result.directory, only=_PAIR_RULES) == []


def test_a_shortcut_or_a_recycle_record_with_another_size_is_found(tmp_path):
    result = build(tmp_path, [_profile(lnk_size=99, recycled_size=7)])
    findings = audit_build(load_recipe(tmp_path / "t-disk.yaml"), result.directory, only=_PAIR_RULES)
    assert sorted(f.rule for f in findings) == _PAIR_RULES
