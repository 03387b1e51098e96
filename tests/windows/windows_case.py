"""One small Windows case built by our writers: hives, logs, shortcuts, Recycle Bin, on a FAT image (mtools).

A module of its own (not conftest) so that tests import it by a name no other folder uses.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from forensics_kit.builder.windows import (
    DRIVE_REMOVABLE,
    Hex,
    Shortcut,
    Sid,
    UsbStick,
    WindowsVolume,
    add_usb_stick,
    security_event,
    setupapi_log,
    system_event,
)
from forensics_kit.builder.windows.accounts import (
    ACB_DISABLED,
    ACB_NORMAL,
    recent_doc,
    run_key,
    sam_account,
    sam_user,
    service,
    userassist,
)
from forensics_kit.builder.windows.shellbags import browse

T0 = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
MACHINE_SID = "S-1-5-21-1111-2222-3333"
ANNA_SID = f"{MACHINE_SID}-1001"
ATTACKER = "203.0.113.7"


@dataclass
class WindowsCase:
    """The built files and what they should say."""

    root: Path
    image: Path
    files: dict[str, bytes]
    stick: UsbStick
    shortcut: Shortcut
    lnk_path: str
    recycled: list[tuple[str, str, int, datetime]] = field(default_factory=list)
    events: dict[str, list] = field(default_factory=dict)


def _events(vol: WindowsVolume) -> None:
    t = T0 + timedelta(days=1)
    vol.system_log.add(system_event(6005, t, "WS01", {}))
    for i in range(12):
        vol.security.add(security_event(4625, t + timedelta(seconds=10 + 3 * i), "WS01", {
            "SubjectUserSid": Sid("S-1-0-0"), "TargetUserName": "administrator" if i % 2 else "admin",
            "TargetDomainName": "WS01", "Status": Hex(0xC000006D, 32), "LogonType": 3,
            "WorkstationName": "KALI", "IpAddress": ATTACKER, "IpPort": str(40000 + i)}))
    ok = t + timedelta(minutes=2)
    vol.security.add(security_event(4624, ok, "WS01", {
        "SubjectUserSid": Sid("S-1-0-0"), "TargetUserSid": Sid(f"{MACHINE_SID}-500"),
        "TargetUserName": "Administrator", "TargetDomainName": "WS01", "TargetLogonId": Hex(0x3A2F1),
        "LogonType": 10, "IpAddress": ATTACKER, "IpPort": "40100"}))
    vol.security.add(security_event(4672, ok, "WS01", {
        "SubjectUserSid": Sid(f"{MACHINE_SID}-500"), "SubjectUserName": "Administrator",
        "SubjectLogonId": Hex(0x3A2F1), "PrivilegeList": "SeDebugPrivilege\r\n\t\t\tSeBackupPrivilege"}))
    vol.security.add(security_event(4720, ok + timedelta(minutes=1), "WS01", {
        "TargetUserName": "support", "TargetSid": Sid(f"{MACHINE_SID}-1002"),
        "SubjectUserName": "Administrator"}))
    vol.security.add(security_event(4732, ok + timedelta(minutes=1, seconds=5), "WS01", {
        "MemberSid": Sid(f"{MACHINE_SID}-1002"), "TargetUserName": "Administrators",
        "TargetSid": Sid("S-1-5-32-544"), "SubjectUserName": "Administrator"}))
    vol.system_log.add(system_event(7045, ok + timedelta(minutes=2), "WS01", {
        "ServiceName": "WinUpdSvc", "ImagePath": "C:\\ProgramData\\upd\\svc.exe", "ServiceType": "user mode service",
        "StartType": "auto start", "AccountName": "LocalSystem"}))
    vol.security.add(security_event(4634, ok + timedelta(minutes=5), "WS01", {
        "TargetUserSid": Sid(f"{MACHINE_SID}-500"), "TargetUserName": "Administrator", "LogonType": 10}))
    vol.security.add(security_event(1102, ok + timedelta(minutes=6), "WS01", {
        "SubjectUserSid": Sid(f"{MACHINE_SID}-500"), "SubjectUserName": "Administrator",
        "SubjectDomainName": "WS01", "SubjectLogonId": Hex(0x3A2F1)}))
    vol.system_log.add(system_event(104, ok + timedelta(minutes=6, seconds=2), "WS01", {
        "SubjectUserName": "Administrator", "SubjectDomainName": "WS01", "Channel": "System", "BackupPath": ""}))
    vol.system_log.add(system_event(6006, ok + timedelta(hours=1), "WS01", {}))
    service(vol.system, "WinUpdSvc", "C:\\ProgramData\\upd\\svc.exe", ok + timedelta(minutes=2))
    run_key(vol.software, "WinUpd", "C:\\ProgramData\\upd\\upd.exe", ok + timedelta(minutes=3), machine=True)


def build_case(root: Path) -> WindowsCase:
    vol = WindowsVolume("WS01", T0, ("Russian Standard Time", -180))
    stick = UsbStick("SanDisk", "Cruzer Blade", "4C530001231120115142", 0x0781, 0x5567,
                     T0 + timedelta(hours=3), T0 + timedelta(days=2, hours=1), T0 + timedelta(days=2, hours=2),
                     drive_letter="E", volume_serial=0x1A2B3C4D, volume_label="SANDISK")
    add_usb_stick(vol.system, stick, vol.software)
    other = UsbStick("Kingston", "DataTraveler 3.0", "60A44C413A8CF1A0B9A70F2B", 0x0951, 0x1666,
                     T0 + timedelta(hours=1), T0 + timedelta(hours=1, minutes=30), None, drive_letter="F",
                     volume_guid="{6c1bc5a2-8f3e-11ee-b9d1-0800272f0002}", volume_serial=3405691582,
                     volume_label="KINGSTON")
    add_usb_stick(vol.system, other, vol.software)
    ntuser = vol.add_user("anna", ANNA_SID)
    sam_account(vol.sam, MACHINE_SID, T0)
    sam_user(vol.sam, "Administrator", 500, T0, comment="Built-in account for administering the computer/domain",
             admin=True, flags=ACB_NORMAL | ACB_DISABLED)
    sam_user(vol.sam, "anna", 1001, T0, full_name="Anna Petrova", last_logon=T0 + timedelta(days=2),
             logon_count=17)
    opened = T0 + timedelta(days=2, hours=1, minutes=10)
    userassist(ntuser, "E:\\tools\\rclone.exe", 3, opened)
    for index, name in enumerate(("Transfer plan.docx", "clients.xlsx")):
        recent_doc(ntuser, name, opened + timedelta(minutes=index))
    run_key(ntuser, "OneDriveSync", "C:\\Users\\anna\\AppData\\Roaming\\sync.exe", opened)
    shortcut = Shortcut("E:\\Docs\\Transfer plan.docx", size=48213, created=T0 + timedelta(hours=2),
                        modified=T0 + timedelta(hours=2, minutes=30), accessed=opened, drive_type=DRIVE_REMOVABLE,
                        volume_serial=0x1A2B3C4D, volume_label="SANDISK", machine_id="ws01",
                        working_dir="E:\\Docs")
    lnk_path = vol.add_recent("anna", shortcut, "Transfer plan.lnk")
    browse(vol.usrclass["anna"], "E:\\Docs", opened - timedelta(minutes=1), modified=T0 + timedelta(hours=2))
    browse(vol.usrclass["anna"], "C:\\Users\\anna\\Documents", opened + timedelta(minutes=20))
    _events(vol)
    rng = random.Random(17)
    case = WindowsCase(root, root / "win.img", {}, stick, shortcut, lnk_path)
    for index, (original, content) in enumerate(((r"C:\Users\anna\Documents\Transfer plan.docx", b"PK" * 300),
                                                 (r"C:\Users\anna\Desktop\notes.txt", b"pin 4711\r\n"))):
        deleted = T0 + timedelta(days=3, minutes=index)
        vol.add_recycled(ANNA_SID, original, content, deleted, rng)
        case.recycled.append((original, ANNA_SID, len(content), deleted))
    vol.extra["/Windows/INF/setupapi.dev.log"] = setupapi_log([stick, other], timedelta(hours=3))
    case.files = vol.files()
    case.events = {"Security": vol.security.events, "System": vol.system_log.events}
    vol.extra[f"/$Recycle.Bin/{ANNA_SID}/$IBROKEN.txt"] = b"\x02" + bytes(9)  # a $I cut to 10 bytes
    vol.extra["/Windows/System32/winevt/Logs/Broken.evtx"] = case.files[
        "/Windows/System32/winevt/Logs/Security.evtx"][:4096 + 700]  # a chunk cut short
    tree = vol.write_tree(root / "tree")
    if shutil.which("mkfs.fat") and shutil.which("mcopy"):
        subprocess.run(["mkfs.fat", "-C", "-F", "16", "-i", "1A2B3C4D", "--invariant", str(case.image), "32768"],
                       check=True, capture_output=True)
        for entry in sorted(tree.iterdir()):
            subprocess.run(["mcopy", "-s", "-m", "-i", str(case.image), str(entry), "::/"], check=True,
                           capture_output=True, env={"MTOOLS_SKIP_CHECK": "1", "TZ": "UTC", "PATH": "/usr/bin:/bin"})
    return case


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not installed (make setup installs it)")
    return path
