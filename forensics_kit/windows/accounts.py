"""Local accounts (SAM) and a user's activity (NTUSER.DAT: UserAssist, RecentDocs, Run), decoded as RegRipper does.

::

    with open_hive(img, "/Windows/System32/config/SAM") as sam:
        for user in local_accounts(sam):     # name, RID, SID, last logon, logon count, disabled...
            ...
    with open_hive(img, "/Users/anna/NTUSER.DAT") as ntuser:
        user_assist(ntuser)                  # program, run count, last run (ROT13 undone)
        recent_docs(ntuser)                  # names, most recent first
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import asdict, dataclass
from typing import Any

from forensics_kit.errors import NotFoundError
from forensics_kit.windows._times import filetime_iso
from forensics_kit.windows.registry import Hive

_USERS = "SAM\\Domains\\Account\\Users"
_EXPLORER = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer"


@dataclass(frozen=True)
class LocalAccount:
    """One SAM account: F holds times and counters, V the names; ``created`` is the Names key's last write."""

    name: str
    rid: int
    sid: str | None
    full_name: str
    comment: str
    created: str | None
    last_logon: str | None
    password_set: str | None
    last_failure: str | None
    logon_count: int
    failed_count: int
    disabled: bool
    flags: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _v_text(data: bytes, index: int) -> str:
    if len(data) < 0xCC:
        return ""
    offset, length = struct.unpack_from("<II", data, index * 12)
    return data[0xCC + offset:0xCC + offset + length].decode("utf-16-le", errors="replace")


def machine_sid(sam: Hive) -> str | None:
    """``S-1-5-21-a-b-c`` from the account domain's V value (its last 12 bytes)."""
    data = bytes.fromhex(sam.value_data("SAM\\Domains\\Account", "V", "") or "")
    if len(data) < 12:
        return None
    return "S-1-5-21-" + "-".join(str(n) for n in struct.unpack_from("<III", data, len(data) - 12))


def local_accounts(sam: Hive) -> list[LocalAccount]:
    """Every account under ``SAM\\Domains\\Account\\Users``, by RID."""
    if not sam.exists(_USERS):
        return []
    domain = machine_sid(sam)
    accounts = []
    for key in sam.subkeys(_USERS):
        if not key.name.upper().startswith("0000"):
            continue
        f = bytes.fromhex(key.get("F", "") or "")
        v = bytes.fromhex(key.get("V", "") or "")
        if len(f) < 68:
            continue
        last_logon, _, password_set, _, last_failure = struct.unpack_from("<QQQQQ", f, 8)
        rid = int(key.name, 16)
        flags = struct.unpack_from("<H", f, 56)[0]
        failed, logons = struct.unpack_from("<HH", f, 64)
        name = _v_text(v, 1)
        try:
            created = sam.key(f"{_USERS}\\Names\\{name}").last_written
        except NotFoundError:
            created = None
        accounts.append(LocalAccount(name, rid, f"{domain}-{rid}" if domain else None, _v_text(v, 2), _v_text(v, 3),
                                     created, filetime_iso(last_logon), filetime_iso(password_set),
                                     filetime_iso(last_failure), logons, failed, bool(flags & 0x0001), flags))
    return sorted(accounts, key=lambda a: a.rid)


@dataclass(frozen=True)
class UserAssistEntry:
    """A program (or shortcut) the user ran from Explorer: ROT13 undone, run count, focus, last run."""

    program: str
    run_count: int
    focus_count: int
    focus_ms: int
    last_run: str | None
    guid: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def user_assist(ntuser: Hive) -> list[UserAssistEntry]:
    """UserAssist entries of every GUID (Windows 7+ 72-byte records), most recently run first."""
    base = f"{_EXPLORER}\\UserAssist"
    out: list[UserAssistEntry] = []
    if not ntuser.exists(base):
        return out
    for guid in ntuser.subkeys(base):
        count = f"{guid.path}\\Count"
        if not ntuser.exists(count):
            continue
        for value in ntuser.key(count).values:
            data = value.raw
            if len(data) < 68:
                continue
            _, runs, focus, focus_ms = struct.unpack_from("<IIII", data)
            (last,) = struct.unpack_from("<Q", data, 60)
            out.append(UserAssistEntry(codecs.decode(value.name, "rot13"), runs, focus, focus_ms, filetime_iso(last),
                                       guid.name))
    return sorted(out, key=lambda e: (e.last_run or ""), reverse=True)


def recent_docs(ntuser: Hive, extension: str | None = None) -> list[str]:
    """Names in RecentDocs (or its ``.docx``-style subkey), most recent first (MRUListEx order)."""
    path = f"{_EXPLORER}\\RecentDocs" + (f"\\{extension}" if extension else "")
    if not ntuser.exists(path):
        return []
    key = ntuser.key(path)
    raw = {v.name: v.raw for v in key.values}
    order = raw.get("MRUListEx", b"")
    names = []
    for (index,) in struct.iter_unpack("<I", order[:len(order) // 4 * 4]):
        if index == 0xFFFFFFFF:
            break
        data = raw.get(str(index), b"")
        end = next((i for i in range(0, len(data) - 1, 2) if data[i:i + 2] == b"\0\0"), len(data))
        names.append(data[:end].decode("utf-16-le", errors="replace"))
    return names


def run_entries(hive: Hive) -> dict[str, str]:
    """``{name: command}`` of the Run key (NTUSER.DAT's or SOFTWARE's, whichever the hive is)."""
    for path in ("Software\\Microsoft\\Windows\\CurrentVersion\\Run", "Microsoft\\Windows\\CurrentVersion\\Run"):
        if hive.exists(path):
            return {v.name: v.data for v in hive.key(path).values if isinstance(v.data, str)}
    return {}
