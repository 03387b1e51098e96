"""ShellBags: the folders a user browsed in Explorer, read from UsrClass.dat's BagMRU tree.

Each numbered value of a BagMRU key is a shell item (My Computer, a volume, a
folder); its subkey of the same number holds that folder's children. The folder
path is the items joined; ``browsed`` is the child key's last-written time when the
folder heads its parent's ``MRUListEx`` (the time RegRipper's ``shellbags`` shows),
and the file entry item's own FAT times are kept as ``modified``/``accessed``/``created``.
"""

from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from forensics_kit.windows.registry import Hive

BAG_MRU = "Local Settings\\Software\\Microsoft\\Windows\\Shell\\BagMRU"
_MY_COMPUTER = bytes.fromhex("e04fd020ea3a6910a2d808002b30309d")


@dataclass(frozen=True)
class ShellBag:
    """One browsed folder."""

    path: str
    key: str
    browsed: str | None
    modified: str | None
    accessed: str | None
    created: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fat(data: bytes) -> str | None:
    if len(data) < 4 or data == b"\0\0\0\0":
        return None
    date, time = struct.unpack("<HH", data)
    try:
        when = datetime(1980 + (date >> 9), (date >> 5) & 15, date & 31, time >> 11, (time >> 5) & 63,
                        (time & 31) * 2, tzinfo=UTC)
    except ValueError:
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _describe(item: bytes) -> tuple[str, str | None, str | None, str | None]:
    """(name, modified, accessed, created) of a shell item."""
    kind = item[2] if len(item) > 2 else 0
    if kind == 0x1F:
        return ("My Computer" if item[4:20] == _MY_COMPUTER else "{" + item[4:20].hex() + "}"), None, None, None
    if kind & 0x70 == 0x20:
        return item[3:item.find(b"\0", 3)].decode("ascii", "replace").rstrip("\\") + "\\", None, None, None
    if kind & 0x70 == 0x30 and len(item) >= 14:
        name = item[14:].split(b"\0", 1)[0].decode("cp1252", "replace")
        modified = _fat(item[8:12])
        accessed = created = None
        block = item.find(struct.pack("<I", 0xBEEF0004))
        if block >= 4:
            created, accessed = _fat(item[block + 4:block + 8]), _fat(item[block + 8:block + 12])
            start = block + 42
            end = next((i for i in range(start, len(item) - 1, 2) if item[i:i + 2] == b"\0\0"), None)
            if end is not None:
                name = item[start:end].decode("utf-16-le", "replace") or name
        return name, modified, accessed, created
    return f"<shell item 0x{kind:02x}>", None, None, None


def shell_bags(usrclass: Hive) -> list[ShellBag]:
    """Every folder under BagMRU, depth first in key order."""
    out: list[ShellBag] = []
    if not usrclass.exists(BAG_MRU):
        return out

    def walk(path: str, prefix: str) -> None:
        key = usrclass.key(path)
        raw = {v.name: v.raw for v in key.values}
        order_data = raw.get("MRUListEx", b"")
        order = [n for (n,) in struct.iter_unpack("<I", order_data[:len(order_data) // 4 * 4]) if n != 0xFFFFFFFF]
        for name in sorted((n for n in raw if n.isdigit()), key=int):
            label, modified, accessed, created = _describe(raw[name])
            folder = f"{prefix.rstrip(chr(92))}\\{label}" if prefix else label
            child = f"{path}\\{name}"
            if not usrclass.exists(child):
                continue
            browsed = usrclass.key(child).last_written if order and order[0] == int(name) else None
            out.append(ShellBag(folder, child[len(BAG_MRU) + 1:], browsed, modified, accessed, created))
            walk(child, folder)

    walk(BAG_MRU, "")
    return out
