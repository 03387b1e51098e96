"""Our event logs read by evtxexport and by the kit: every record's id, time, EventID and data agree."""

from __future__ import annotations

import re
import subprocess

from windows_case import ATTACKER, need

from forensics_kit.windows import read_events
from forensics_kit.windows._times import filetime_iso

LOGS = "Windows/System32/winevt/Logs"


def evtxexport(path) -> list[dict]:
    out = subprocess.run([need("evtxexport"), str(path)], capture_output=True, text=True, check=True).stdout
    records = []
    for block in out.split("\n\nEvent number")[1:]:
        records.append({
            "written": re.search(r"Written time\s+: (.+) UTC", block)[1],
            "event_id": int(re.search(r"Event identifier\s+: 0x[0-9a-f]+ \((\d+)\)", block)[1]),
            "computer": re.search(r"Computer name\s+: (.*)", block)[1],
            "strings": re.findall(r"String: \d+\s+: (.*)", block),
        })
    return records


def _written(time: str) -> str:
    from datetime import datetime

    when = datetime.strptime(time.split(".")[0], "%b %d, %Y %H:%M:%S")
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def test_every_record_agrees_with_evtxexport(wincase):
    for log in ("Security", "System"):
        path = wincase.root / "tree" / LOGS / f"{log}.evtx"
        theirs, ours = evtxexport(path), read_events(path)
        assert len(theirs) == len(ours) >= 4
        for peer, record in zip(theirs, ours, strict=True):
            assert peer["event_id"] == record.event_id
            assert _written(peer["written"]) == record.time[:19]
            assert peer["computer"] == record.computer == "WS01"
            # evtxexport prints a value holding line breaks (4672's PrivilegeList) over several lines
            assert peer["strings"] == [(v.splitlines() or [""])[0] for v in record.data.values()]


def _as_written(value) -> str:
    from forensics_kit.builder.windows import Hex, Sid

    if isinstance(value, Sid):
        return value.text
    if isinstance(value, Hex):
        return f"0x{value.number:0{value.bits // 4}x}"
    return str(value)


def test_the_reader_gives_back_what_the_writer_wrote(wincase):
    for log, written in wincase.events.items():
        read = read_events(wincase.files[f"/{LOGS}/{log}.evtx"])
        assert [(e.record_id, e.event_id, e.time, e.channel) for e in read] == [
            (w.record_id, w.event_id, filetime_iso(w.stamp), w.channel) for w in written]
        assert [e.data for e in read] == [{k: _as_written(v) for k, v in w.data.items()} for w in written]


def test_event_times_carry_100_ns_digits_as_windows_stamps_them_and_stay_in_order(wincase):
    for log, written in wincase.events.items():
        stamps = [w.stamp for w in written]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        assert all(stamp % 10_000_000 for stamp in stamps), log  # no time at .0000000
        times = [e.time for e in read_events(wincase.files[f"/{LOGS}/{log}.evtx"])]
        assert all(len(t) == len("2024-03-06T09:00:10.1087453Z") for t in times)


def test_record_ids_and_times_are_in_order_and_every_event_id_is_there(wincase):
    events = read_events(wincase.files[f"/{LOGS}/Security.evtx"])
    assert [e.record_id for e in events] == list(range(1, len(events) + 1))
    assert [e.time for e in events] == sorted(e.time for e in events)
    assert {e.event_id for e in events} == {4625, 4624, 4672, 4720, 4732, 4634, 1102}
    system = {e.event_id for e in read_events(wincase.files[f"/{LOGS}/System.evtx"])}
    assert system == {6005, 7045, 104, 6006}


def test_logon_fields_are_read_by_name(wincase):
    logon = read_events(wincase.files[f"/{LOGS}/Security.evtx"], event_ids={4624})[0]
    assert logon.data["LogonType"] == "10" and logon.data["IpAddress"] == ATTACKER
    assert logon.data["TargetLogonId"] == "0x000000000003a2f1"
    assert logon.provider == "Microsoft-Windows-Security-Auditing" and logon.channel == "Security"
    cleared = read_events(wincase.files[f"/{LOGS}/Security.evtx"], event_ids={1102})[0]
    assert cleared.data["SubjectUserName"] == "Administrator"
    service = read_events(wincase.files[f"/{LOGS}/System.evtx"], event_ids={7045})[0]
    assert service.user_sid == "S-1-5-18" and service.data["ImagePath"] == "C:\\ProgramData\\upd\\svc.exe"


def test_from_and_to_keep_the_events_inside(wincase):
    data = wincase.files[f"/{LOGS}/Security.evtx"]
    inside = read_events(data, since="2024-03-06T09:00:10", until="2024-03-06T09:00:16")
    # a bound without a fraction covers its whole second: 09:00:16.xxxxxxx is inside --to 09:00:16
    assert [e.time[:19] for e in inside] == ["2024-03-06T09:00:10", "2024-03-06T09:00:13", "2024-03-06T09:00:16"]
    assert len(read_events(data, until="2024-03-05")) == 0


def test_a_log_over_several_chunks_agrees_with_evtxexport(big_log, tmp_path):
    path = tmp_path / "big.evtx"
    path.write_bytes(big_log)
    assert len(big_log) > 4096 + 65536  # more than one chunk
    theirs, ours = evtxexport(path), read_events(path)
    assert len(theirs) == len(ours) == 600
    assert [r.record_id for r in ours] == list(range(1000, 1600))
    assert all(p["strings"] == list(r.data.values()) for p, r in zip(theirs, ours, strict=True))
