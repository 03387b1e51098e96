"""ShellBags: the folders a user browsed in Explorer, in UsrClass.dat's BagMRU tree.

Layout (libyal winreg-kb "Shell bags"; Harlan Carvey, "Windows Registry Forensics"):
``Local Settings\\Software\\Microsoft\\Windows\\Shell\\BagMRU`` holds one numbered
value per child folder (a shell item: My Computer, a volume ``E:\\``, then a file
entry item per directory), ``MRUListEx`` (most recent first) and ``NodeSlot``; each
numbered subkey is that child's own BagMRU. A key's last-written time is when its
most recent child was browsed, which RegRipper's ``shellbags`` plugin prints as the
MRU time.

Simplified: no ``Bags\\<slot>`` view settings and no zip/network/control-panel items.
"""

from __future__ import annotations

import struct
from datetime import datetime
from pathlib import PureWindowsPath

from forensics_kit.builder.windows.lnk import file_item, root_item, volume_item
from forensics_kit.builder.windows.regf import REG_BINARY, REG_DWORD, Hive, Key

BAG_MRU = "Local Settings\\Software\\Microsoft\\Windows\\Shell\\BagMRU"


def usrclass_hive(time: datetime, user: str) -> Hive:
    """An empty UsrClass.dat with the keys every one has (RegRipper recognises it by them)."""
    hive = Hive(time, f"\\??\\C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat")
    hive.key("Local Settings\\Software\\Microsoft\\Windows\\Shell\\Bags")
    hive.key("lnkfile").value("", "Shortcut")
    return hive


def _identity(item: bytes) -> bytes:
    """What makes two shell items the same folder: the root, the drive, or the entry's name."""
    kind = item[2] if len(item) > 2 else 0
    if kind == 0x1F:
        return item[2:20]
    if kind == 0x2F:
        return item[2:6]
    return item[2:3] + item[14:].split(b"\0", 1)[0].upper()


def _child(key: Key, item: bytes, when: datetime, slots: list[int]) -> Key:
    """The numbered subkey of ``key`` for ``item``'s folder, made when new; it becomes first in MRUListEx."""
    for value in key.values:
        if value.name.isdigit() and _identity(value.data) == _identity(item):
            child = key.key(value.name, when)
            break
    else:
        numbers = [int(v.name) for v in key.values if v.name.isdigit()]
        index = max(numbers, default=-1) + 1
        key.value(str(index), item, REG_BINARY)
        child = key.key(str(index), when)
        slots[0] += 1
        child.value("NodeSlot", slots[0], REG_DWORD)
        numbers = [index] + numbers
    order_value = key._values.get("MRULISTEX")
    order = list(struct.unpack(f"<{len(order_value.data) // 4 - 1}I", order_value.data[:-4])) if order_value else []
    position = int(child.name)
    order = [position] + [n for n in order if n != position]
    key.value("MRUListEx", struct.pack(f"<{len(order) + 1}I", *order, 0xFFFFFFFF), REG_BINARY)
    key.touch(max(when, _as_time(key.last_written)) if isinstance(key.last_written, int) else when)
    return child


def _as_time(filetime_value: int) -> datetime:
    from datetime import UTC, timedelta

    return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=filetime_value // 10)


def browse(usrclass: Hive, folder: str, when: datetime, modified: datetime | None = None) -> None:
    """Record that the user opened ``folder`` (``E:\\Docs\\2024``) in Explorer at ``when``."""
    path = PureWindowsPath(folder)
    slots = [sum(1 for k in usrclass.root.walk() if k._values.get("NODESLOT"))]
    key = usrclass.key(BAG_MRU, when)
    key = _child(key, root_item(), when, slots)
    key = _child(key, volume_item(path.drive), when, slots)
    for part in path.parts[1:]:
        key = _child(key, file_item(part, True, modified=modified or when, created=modified or when,
                                    accessed=when), when, slots)
