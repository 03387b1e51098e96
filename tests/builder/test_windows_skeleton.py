"""The Windows volume skeleton: folders and files where an examiner looks, hives that say what the volume is."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from forensics_kit.builder.windows import Shortcut, WindowsVolume, security_event
from forensics_kit.windows import open_hive, parse_info, read_events, read_lnk

T = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
SID = "S-1-5-21-1-2-3-1001"


def test_the_skeleton_lays_out_hives_logs_profiles_and_the_recycle_bin(tmp_path):
    vol = WindowsVolume("WS01", T, ("Russian Standard Time", -180))
    vol.add_user("anna", SID)
    vol.security.add(security_event(4624, T, "WS01", {"TargetUserName": "anna", "LogonType": 2}))
    vol.add_recent("anna", Shortcut("C:\\Users\\anna\\Documents\\a.docx", size=3), "a.docx.lnk")
    info, data = vol.add_recycled(SID, "C:\\Users\\anna\\Documents\\b.txt", b"abc", T, random.Random(1))
    files = vol.files()
    assert {"/Windows/System32/config/SYSTEM", "/Windows/System32/config/SOFTWARE", "/Windows/System32/config/SAM",
            "/Windows/System32/winevt/Logs/Security.evtx", "/Users/anna/NTUSER.DAT", info, data} <= set(files)
    assert f"/$Recycle.Bin/{SID}" in vol.folders() and "/Windows/Prefetch" in vol.folders()
    with open_hive(files["/Windows/System32/config/SYSTEM"]) as system:
        assert system.value_data("ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName") == "WS01"
    with open_hive(files["/Windows/System32/config/SOFTWARE"]) as software:
        assert software.value_data(f"Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\{SID}",
                                   "ProfileImagePath") == "C:\\Users\\anna"
    assert read_events(files["/Windows/System32/winevt/Logs/Security.evtx"])[0].data["TargetUserName"] == "anna"
    assert read_lnk(files["/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/a.docx.lnk"]).size == 3
    assert parse_info(files[info]).original_path == "C:\\Users\\anna\\Documents\\b.txt" and files[data] == b"abc"
    root = vol.write_tree(tmp_path / "C")
    assert (root / "Windows/System32/config/SYSTEM").read_bytes() == files["/Windows/System32/config/SYSTEM"]
    assert (root / "Users/anna/Desktop").is_dir()
