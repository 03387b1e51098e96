"""A Windows system volume's folders and artefact files, for a recipe item to plant in an NTFS image.

:class:`WindowsVolume` holds the hives, event logs, Recent shortcuts and Recycle Bin
pairs of one computer and lays them out where an examiner expects them::

    vol = WindowsVolume("WS01", installed=when, time_zone=("Russian Standard Time", -180))
    anna = vol.add_user("anna", "S-1-5-21-1111-2222-3333-1001")
    vol.security.add(security_event(4624, t, "WS01", {...}))
    vol.add_recent("anna", Shortcut(r"E:\\plan.docx", ...), "plan.docx.lnk")
    vol.add_recycled("S-1-5-21-...-1001", r"C:\\Users\\anna\\Documents\\plan.docx", content, deleted, rng)
    for path, data in vol.files().items():   # "/Windows/System32/config/SYSTEM": b"regf..."
        ...                                  # plant each file (and set its times) in the image

Paths are the kit's (``/`` separated, no drive letter); folders without files are
listed by :meth:`folders`. Labs plant the same files as recipe items (disk-03, win-01,
win-02), with times from the case's timeline.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from forensics_kit.builder.windows._common import filetime
from forensics_kit.builder.windows.evtx import EventLog
from forensics_kit.builder.windows.lnk import Shortcut
from forensics_kit.builder.windows.prefetch import Prefetch
from forensics_kit.builder.windows.recycle import recycle
from forensics_kit.builder.windows.regf import REG_BINARY, REG_DWORD, REG_SZ, Hive
from forensics_kit.builder.windows.shellbags import usrclass_hive

FOLDERS = (
    "/Windows/System32/config", "/Windows/System32/winevt/Logs", "/Windows/Prefetch", "/Windows/INF",
    "/Program Files", "/Program Files (x86)", "/ProgramData", "/Users/Public", "/$Recycle.Bin",
)


class WindowsVolume:
    """One computer's system volume: SYSTEM, SOFTWARE, SAM, per-user NTUSER.DAT, logs, Recent items, Recycle Bin.

    Args:
        computer: the NetBIOS computer name (ComputerName, event logs' Computer).
        installed: the installation time (new keys' last-written time).
        time_zone: (standard name, bias in minutes as Windows stores it: UTC minus local).
    """

    def __init__(self, computer: str, installed: datetime, time_zone: tuple[str, int] = ("UTC", 0),
                 product: str = "Windows 10 Pro", build: str = "19045") -> None:
        self.computer = computer
        self.installed = installed
        self.system = Hive(installed, "\\REGISTRY\\MACHINE\\SYSTEM")
        self.software = Hive(installed, "\\REGISTRY\\MACHINE\\SOFTWARE")
        self.sam = Hive(installed, "\\REGISTRY\\MACHINE\\SAM")
        self.security = EventLog()
        self.system_log = EventLog()
        self.users: dict[str, tuple[str, Hive]] = {}
        self.usrclass: dict[str, Hive] = {}
        self.extra: dict[str, bytes] = {}
        ccs = "ControlSet001"
        self.system.key("Select").value("Current", 1, REG_DWORD).value("Default", 1, REG_DWORD).value(
            "Failed", 0, REG_DWORD).value("LastKnownGood", 1, REG_DWORD)
        self.system.key(f"{ccs}\\Control\\ComputerName\\ComputerName").value("ComputerName", computer)
        name, bias = time_zone
        self.system.key(f"{ccs}\\Control\\TimeZoneInformation").value("Bias", bias & 0xFFFFFFFF, REG_DWORD).value(
            "ActiveTimeBias", bias & 0xFFFFFFFF, REG_DWORD).value("StandardName", name).value(
            "TimeZoneKeyName", name).value("DaylightBias", 0, REG_DWORD)
        self.system.key(f"{ccs}\\Services\\Tcpip\\Parameters").value("Hostname", computer.lower())
        self.software.key("Microsoft\\Windows\\CurrentVersion").value("ProgramFilesDir", "C:\\Program Files")
        self.software.key("Microsoft\\Windows NT\\CurrentVersion").value("ProductName", product).value(
            "CurrentBuild", build).value("CurrentBuildNumber", build).value("RegisteredOwner", "").value(
            "InstallDate", int(installed.timestamp()), REG_DWORD).value("SystemRoot", "C:\\Windows")

    def add_user(self, name: str, sid: str, rid: int | None = None, last_logon: datetime | None = None) -> Hive:
        """A local user: profile list entry, SAM name key, a fresh NTUSER.DAT (returned) and UsrClass.dat
        (``self.usrclass[name]``, for ShellBags)."""
        rid = rid if rid is not None else int(sid.rsplit("-", 1)[1])
        self.software.key(f"Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\{sid}").value(
            "ProfileImagePath", f"C:\\Users\\{name}")
        users = "SAM\\Domains\\Account\\Users"
        self.sam.key(f"{users}\\Names\\{name}").value("", b"", rid)
        record = bytearray(80)
        record[8:16] = filetime(last_logon).to_bytes(8, "little")
        record[48:52] = rid.to_bytes(4, "little")
        self.sam.key(f"{users}\\{rid:08X}").value("F", bytes(record), REG_BINARY)
        hive = Hive(self.installed, f"\\??\\C:\\Users\\{name}\\ntuser.dat")
        hive.key("Software\\Microsoft\\Windows\\CurrentVersion\\Explorer").value("ShellState", b"\0" * 4, REG_BINARY)
        hive.key("Software\\Microsoft\\Windows NT\\CurrentVersion")
        hive.key("Environment").value("TEMP", "%USERPROFILE%\\AppData\\Local\\Temp", REG_SZ)
        self.users[name] = (sid, hive)
        self.usrclass[name] = usrclass_hive(self.installed, name)
        return hive

    def add_recent(self, user: str, shortcut: Shortcut, name: str) -> str:
        """Put a shortcut in the user's Recent folder; returns its path."""
        path = f"/Users/{user}/AppData/Roaming/Microsoft/Windows/Recent/{name}"
        self.extra[path] = shortcut.to_bytes()
        return path

    def add_prefetch(self, prefetch: Prefetch) -> str:
        """Put a prefetch file in /Windows/Prefetch under the name Windows gives it; returns its path."""
        path = f"/Windows/Prefetch/{prefetch.name}"
        self.extra[path] = prefetch.to_bytes()
        return path

    def add_recycled(self, sid: str, original_path: str, content: bytes, deleted: datetime,
                     rng: random.Random) -> tuple[str, str]:
        """A file deleted to the Recycle Bin: its ``$I`` record and ``$R`` content; returns both paths."""
        pair = recycle(original_path, len(content), deleted, rng)
        base = f"/$Recycle.Bin/{sid}"
        self.extra[f"{base}/{pair.info_name}"] = pair.info
        self.extra[f"{base}/{pair.data_name}"] = content
        return f"{base}/{pair.info_name}", f"{base}/{pair.data_name}"

    def folders(self) -> list[str]:
        """Every folder an examiner expects, including each user's profile and Recycle Bin folder."""
        out = list(FOLDERS)
        for name, (sid, _) in sorted(self.users.items()):
            out += [f"/Users/{name}/AppData/Roaming/Microsoft/Windows/Recent", f"/Users/{name}/Documents",
                    f"/Users/{name}/Desktop", f"/Users/{name}/Downloads", f"/$Recycle.Bin/{sid}"]
        return out

    def files(self) -> dict[str, bytes]:
        """``{path: bytes}`` of every artefact file, hives and logs included."""
        out = {
            "/Windows/System32/config/SYSTEM": self.system.to_bytes(),
            "/Windows/System32/config/SOFTWARE": self.software.to_bytes(),
            "/Windows/System32/config/SAM": self.sam.to_bytes(),
        }
        if self.security.events:
            out["/Windows/System32/winevt/Logs/Security.evtx"] = self.security.to_bytes()
        if self.system_log.events:
            out["/Windows/System32/winevt/Logs/System.evtx"] = self.system_log.to_bytes()
        for name, (_, hive) in sorted(self.users.items()):
            out[f"/Users/{name}/NTUSER.DAT"] = hive.to_bytes()
            out[f"/Users/{name}/AppData/Local/Microsoft/Windows/UsrClass.dat"] = self.usrclass[name].to_bytes()
        out.update(self.extra)
        return out

    def write_tree(self, root: str | Path) -> Path:
        """Write the folders and files under a local directory (for mkntfs/ntfs-3g or a look by hand)."""
        root = Path(root)
        for folder in self.folders():
            (root / folder.lstrip("/")).mkdir(parents=True, exist_ok=True)
        for path, data in self.files().items():
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return root
