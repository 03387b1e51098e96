"""What a user's activity and a local account leave in NTUSER.DAT and SAM, as Windows 10 writes it.

- UserAssist (``Explorer\\UserAssist\\{CEBFF5CD-...}\\Count``): value names ROT13-encoded,
  72-byte data with run count (offset 4), focus count (8), focus time in ms (12) and
  the last run FILETIME (60);
- RecentDocs: one REG_BINARY per document (UTF-16 name, NUL, a shell item with the
  .lnk name) and ``MRUListEx`` (most recent first, ending 0xFFFFFFFF), in the main key
  and in the key of the extension;
- ``Software\\Microsoft\\Windows\\CurrentVersion\\Run`` and ``Explorer\\TypedPaths`` / ``RunMRU``;
- SAM ``Domains\\Account\\Users\\<RID>``: ``F`` (last logon, password set, last failure
  FILETIMEs, RID, ACB flags, failed and logon counts) and ``V`` (a 0xCC-byte offset
  table then the UTF-16 user name, full name and comment), ``Names\\<user>`` whose
  value type is the RID; the account domain's ``V`` ends with the machine SID.

Layouts follow the SAM/UserAssist descriptions in Harlan Carvey's "Windows Registry
Forensics" (2nd ed.) and libyal's winreg-kb (Windows Registry knowledge base).
"""

from __future__ import annotations

import codecs
import struct
from datetime import datetime

from forensics_kit.builder.windows._common import filetime, utf16z
from forensics_kit.builder.windows.regf import REG_BINARY, REG_DWORD, REG_EXPAND_SZ, Hive

USERASSIST_EXE = "{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}"
_EXPLORER = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer"
ACB_NORMAL = 0x0010
ACB_DISABLED = 0x0001
ACB_PWNOEXP = 0x0200


def userassist(ntuser: Hive, program: str, run_count: int, last_run: datetime, focus_count: int = 1,
               focus_ms: int = 60000) -> None:
    """One program in UserAssist (``C:\\Tools\\x.exe`` or ``{6D809377-...}\\cmd.exe``)."""
    data = bytearray(72)
    struct.pack_into("<IIII", data, 0, 0, run_count, focus_count, focus_ms)
    struct.pack_into("<f", data, 16, -1.0)
    struct.pack_into("<Q", data, 60, filetime(last_run))
    key = ntuser.key(f"{_EXPLORER}\\UserAssist\\{USERASSIST_EXE}\\Count", last_run)
    key.value(codecs.encode(program, "rot13"), bytes(data), REG_BINARY)
    ntuser.key(f"{_EXPLORER}\\UserAssist\\{USERASSIST_EXE}").value("Version", 5, REG_DWORD)


def recent_doc(ntuser: Hive, name: str, when: datetime) -> None:
    """A document opened at ``when``: a new most-recent entry in RecentDocs and in its extension's key."""
    lnk = name + ".lnk"
    item = struct.pack("<HBBI", 0, 0x32, 0, 0) + lnk.encode("ascii", "replace") + b"\0"
    entry = utf16z(name) + struct.pack("<H", len(item)) + item[2:] + b"\0\0"
    extension = "." + name.rsplit(".", 1)[1] if "." in name else "Folder"
    for path in (f"{_EXPLORER}\\RecentDocs", f"{_EXPLORER}\\RecentDocs\\{extension}"):
        key = ntuser.key(path, when)
        order = key._values.get("MRULISTEX")
        numbers = list(struct.unpack(f"<{len(order.data) // 4 - 1}I", order.data[:-4])) if order else []
        index = max(numbers, default=-1) + 1
        key.value(str(index), entry, REG_BINARY)
        key.value("MRUListEx", struct.pack(f"<{len(numbers) + 2}I", index, *numbers, 0xFFFFFFFF), REG_BINARY)


def run_key(hive: Hive, name: str, command: str, when: datetime, machine: bool = False) -> None:
    """A Run entry (NTUSER's, or SOFTWARE's with ``machine=True``)."""
    path = "Microsoft\\Windows\\CurrentVersion\\Run" if machine else "Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    hive.key(path, when).value(name, command)


def typed_path(ntuser: Hive, path: str, when: datetime) -> None:
    """A path typed into Explorer's address bar (``url1`` is the newest)."""
    key = ntuser.key(f"{_EXPLORER}\\TypedPaths", when)
    old = [v.data for v in key.values]
    key._values.clear()
    for index, data in enumerate([utf16z(path)] + old, 1):
        key.value(f"url{index}", data, 1)


def run_mru(ntuser: Hive, command: str, when: datetime) -> None:
    """A command typed into Win+R (RunMRU: letters a, b, ... and MRUList, newest first)."""
    key = ntuser.key(f"{_EXPLORER}\\RunMRU", when)
    order = key._values.get("MRULIST")
    letters = order.data.decode("utf-16-le").rstrip("\0") if order else ""
    letter = chr(ord("a") + len(letters))
    key.value(letter, command + "\\1")
    key.value("MRUList", letter + letters)


def _v_record(name: str, full_name: str, comment: str, admin: bool) -> bytes:
    fields = [b"", name.encode("utf-16-le"), full_name.encode("utf-16-le"), comment.encode("utf-16-le")]
    table = bytearray(0xCC)
    struct.pack_into("<I", table, 4, 0xBC if admin else 0xD4)
    body = b""
    for index, data in enumerate(fields[1:], 1):
        struct.pack_into("<III", table, index * 12, len(body), len(data), 0)
        body += data + b"\0" * (-len(data) % 4)
    return bytes(table) + body


def sam_account(sam: Hive, machine_sid: str, when: datetime) -> None:
    """The account domain key whose ``V`` ends with the machine SID's three sub-authorities."""
    subs = [int(x) for x in machine_sid.split("-")[4:7]]
    sam.key("SAM\\Domains\\Account", when).value("V", b"\0" * 0x40 + struct.pack("<III", *subs), REG_BINARY)


def sam_user(sam: Hive, name: str, rid: int, created: datetime, *, full_name: str = "", comment: str = "",
             last_logon: datetime | None = None, password_set: datetime | None = None,
             last_failure: datetime | None = None, logon_count: int = 0, failed_count: int = 0,
             flags: int = ACB_NORMAL, admin: bool = False) -> None:
    """A local account: ``Users\\<RID>`` with F and V, and ``Users\\Names\\<name>`` created at ``created``."""
    users = "SAM\\Domains\\Account\\Users"
    f = bytearray(80)
    struct.pack_into("<HHI", f, 0, 2, 0, 0)
    struct.pack_into("<QQQQQ", f, 8, filetime(last_logon), 0, filetime(password_set or created), 0x7FFFFFFFFFFFFFFF,
                     filetime(last_failure))
    struct.pack_into("<II", f, 48, rid, 0x201)
    struct.pack_into("<HHHH", f, 56, flags, 0, 0, 0)
    struct.pack_into("<HH", f, 64, failed_count, logon_count)
    touched = max(t for t in (created, last_logon, last_failure, password_set) if t is not None)
    key = sam.key(f"{users}\\{rid:08X}", touched)
    key.value("F", bytes(f), REG_BINARY).value("V", _v_record(name, full_name, comment, admin), REG_BINARY)
    sam.key(f"{users}\\Names\\{name}", created).value("", b"", rid)


def service(system: Hive, name: str, image_path: str, when: datetime, start: int = 2, account: str = "LocalSystem",
            display_name: str | None = None, control_set: int = 1) -> None:
    """A service key (``ControlSet00N\\Services\\<name>``) as 7045 logs its installation: own-process, auto start."""
    key = system.key(f"ControlSet{control_set:03d}\\Services\\{name}", when)
    key.value("Type", 0x10, REG_DWORD).value("Start", start, REG_DWORD).value("ErrorControl", 1, REG_DWORD)
    key.value("ImagePath", image_path, REG_EXPAND_SZ).value("DisplayName", display_name or name)
    key.value("ObjectName", account)
