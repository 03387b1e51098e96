"""Registry hives written byte for byte as Windows writes them (regf 1.5).

Format followed: Joachim Metz, "Windows NT Registry File (REGF) format"
(libyal/libregf, documentation/Windows NT Registry File (REGF) format.asciidoc):

- a 4096-byte base block ("regf", sequence numbers equal = clean, last-written
  FILETIME, version 1.5, root cell offset, hive-bins size, file name, XOR checksum
  of its first 508 bytes);
- "hbin" blocks of 4096-byte multiples, each filled with cells (negative size =
  allocated, 8-byte aligned, never crossing a bin) and one free cell for the rest;
- "nk" keys (last-written FILETIME, parent, subkey and value lists, security,
  class name), "vk" values (data of 4 bytes or less inside the record, larger data
  in a data cell, more than 16344 bytes in a "db" big-data record with segments),
  one shared "sk" security descriptor, and "lh" (default), "lf" or "li" subkey
  lists sorted by upper-case name, split under an "ri" index when long.

Nothing here depends on the clock: times come from the caller, so the same calls
give the same bytes. The Python binding of hivex cannot be imported from the
venv, which is why this writer exists; ``hivexsh`` and RegRipper read its output
in the tests.

::

    hive = Hive(file_name="\\\\SystemRoot\\\\System32\\\\Config\\\\SYSTEM", time=when)
    hive.key("Select").value("Current", 1, REG_DWORD)
    hive.key("ControlSet001\\\\Enum\\\\USBSTOR\\\\Disk&Ven_SanDisk", when).value("FriendlyName", "SanDisk Cruzer")
    hive.write("SYSTEM")
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from forensics_kit.builder.windows._common import filetime, sid_bytes

REG_NONE = 0
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_DWORD_BIG_ENDIAN = 5
REG_LINK = 6
REG_MULTI_SZ = 7
REG_RESOURCE_LIST = 8
REG_QWORD = 11
REG_FILETIME_PROPERTY = 0xFFFF0010  # DEVPROP_TYPE_FILETIME as Windows 8+ stores device properties

BIG_DATA_SEGMENT = 16344  # largest data cell; longer values are split under a "db" record
_BIN = 4096
_NONE = 0xFFFFFFFF

ValueData = str | int | bytes | bytearray | list[str] | tuple[str, ...] | None


def encode_value(data: ValueData, kind: int) -> bytes:
    """The bytes a value of type ``kind`` holds: strings as UTF-16LE with NUL, numbers little-endian."""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if data is None:
        return b""
    if kind in (REG_SZ, REG_EXPAND_SZ, REG_LINK):
        if not isinstance(data, str):
            raise TypeError(f"a REG_SZ/REG_EXPAND_SZ value needs a str, not {type(data).__name__}")
        return data.encode("utf-16-le") + (b"" if kind == REG_LINK else b"\0\0")
    if kind == REG_MULTI_SZ:
        items = [data] if isinstance(data, str) else list(data)  # type: ignore[arg-type]
        return b"".join(s.encode("utf-16-le") + b"\0\0" for s in items) + b"\0\0"
    if kind == REG_DWORD:
        return struct.pack("<I", int(data))  # type: ignore[arg-type]
    if kind == REG_DWORD_BIG_ENDIAN:
        return struct.pack(">I", int(data))  # type: ignore[arg-type]
    if kind in (REG_QWORD, REG_FILETIME_PROPERTY):
        return struct.pack("<Q", int(data))  # type: ignore[arg-type]
    raise TypeError(f"value type {kind} needs bytes")


def _infer(data: ValueData) -> int:
    if isinstance(data, str):
        return REG_SZ
    if isinstance(data, bool | int):
        return REG_DWORD
    if isinstance(data, list | tuple):
        return REG_MULTI_SZ
    return REG_BINARY if data else REG_NONE


def _name_bytes(name: str) -> tuple[bytes, bool]:
    """A key or value name as stored: one byte a character when it fits ("compressed"), else UTF-16LE."""
    try:
        return name.encode("ascii"), True
    except UnicodeEncodeError:
        return name.encode("utf-16-le"), False


def _lh_hash(name: str) -> int:
    value = 0
    for char in name.upper():
        value = (value * 37 + ord(char)) & 0xFFFFFFFF
    return value


class Value:
    """One registry value: name, type and the bytes it holds."""

    def __init__(self, name: str, data: bytes, kind: int) -> None:
        self.name, self.data, self.kind = name, data, kind


class Key:
    """One key: its name, last-written time, optional class name, subkeys (kept sorted) and values (in order)."""

    def __init__(self, name: str, last_written: int, class_name: str | None = None) -> None:
        if "\\" in name or not name:
            raise ValueError(f"bad key name {name!r}")
        self.name = name
        self.last_written = last_written
        self.class_name = class_name
        self._subkeys: dict[str, Key] = {}
        self._values: dict[str, Value] = {}

    def key(self, path: str, last_written: datetime | int | None = None, class_name: str | None = None) -> Key:
        """The key at ``path`` below this one (``A\\B\\C``), created with its parents when missing.

        ``last_written`` and ``class_name`` apply to the last key of the path; new parents
        take this key's time.
        """
        key = self
        parts = [p for p in path.split("\\") if p]
        for index, part in enumerate(parts):
            child = key._subkeys.get(part.upper())
            if child is None:
                child = Key(part, key.last_written)
                key._subkeys[part.upper()] = child
            if index == len(parts) - 1:
                if last_written is not None:
                    child.last_written = filetime(last_written)
                if class_name is not None:
                    child.class_name = class_name
            key = child
        return key

    def value(self, name: str, data: ValueData, kind: int | None = None) -> Key:
        """Set value ``name`` (``""`` is the default value); returns this key so calls chain."""
        kind = _infer(data) if kind is None else kind
        self._values[name.upper()] = Value(name, encode_value(data, kind), kind)
        return self

    def touch(self, last_written: datetime | int) -> Key:
        """Set this key's last-written time."""
        self.last_written = filetime(last_written)
        return self

    @property
    def subkeys(self) -> list[Key]:
        """Subkeys in the order Windows keeps them (upper-case name)."""
        return [self._subkeys[k] for k in sorted(self._subkeys)]

    @property
    def values(self) -> list[Value]:
        return list(self._values.values())

    def walk(self) -> Iterable[Key]:
        yield self
        for sub in self.subkeys:
            yield from sub.walk()


def _default_descriptor() -> bytes:
    """A self-relative security descriptor: owner Administrators, group SYSTEM, SYSTEM/Administrators full control,
    Users read (as most keys of a fresh Windows hive have)."""
    aces = b""
    for mask, sid in ((0x000F003F, "S-1-5-18"), (0x000F003F, "S-1-5-32-544"), (0x00020019, "S-1-5-32-545")):
        body = struct.pack("<I", mask) + sid_bytes(sid)
        aces += struct.pack("<BBH", 0, 0x02, 4 + len(body)) + body  # ACCESS_ALLOWED, CONTAINER_INHERIT
    acl = struct.pack("<BBHHH", 2, 0, 8 + len(aces), 3, 0) + aces
    owner, group = sid_bytes("S-1-5-32-544"), sid_bytes("S-1-5-18")
    header = 20
    return (struct.pack("<BBHIIII", 1, 0, 0x8004, header, header + len(owner), 0, header + len(owner) + len(group))
            + owner + group + acl)


class _Cells:
    """Hive bins being filled: cells are placed in order; a cell that does not fit starts a new bin."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.bins: list[tuple[int, int]] = []  # (offset, size)
        self.used = 0  # end of the last cell placed, relative to the first bin

    def alloc(self, payload: int) -> int:
        size = (4 + payload + 7) & ~7
        if not self.bins or self.used + size > self.bins[-1][0] + self.bins[-1][1]:
            self._close()
            start = self.bins[-1][0] + self.bins[-1][1] if self.bins else 0
            bin_size = max(_BIN, (32 + size + _BIN - 1) // _BIN * _BIN)
            self.bins.append((start, bin_size))
            self.data.extend(bytes(bin_size))
            self.used = start + 32
        offset = self.used
        struct.pack_into("<i", self.data, offset, -size)
        self.used += size
        return offset

    def put(self, offset: int, payload: bytes) -> None:
        self.data[offset + 4:offset + 4 + len(payload)] = payload

    def _close(self) -> None:
        if self.bins:
            start, size = self.bins[-1]
            rest = start + size - self.used
            if rest:
                struct.pack_into("<i", self.data, self.used, rest)

    def finish(self, timestamp: int) -> bytes:
        self._close()
        for index, (start, size) in enumerate(self.bins):
            struct.pack_into("<4sII8xQI", self.data, start, b"hbin", start, size, timestamp if index == 0 else 0, 0)
        return bytes(self.data)


class Hive:
    """A registry hive file: a root key and everything below it, written as a regf file.

    Args:
        time: last-written time of new keys (and of the root) unless a key is given its own.
        file_name: the name Windows records in the base block (its last 31 characters).
        root_name: the root key's name (``ROOT`` on Windows 10; ``CMI-CreateHive{...}`` on some hives).
        subkey_list: ``lh`` (Windows XP and later), ``lf`` (NT 4) or ``li``.
        max_list: entries per subkey list before the list is split under an ``ri`` index.
    """

    def __init__(self, time: datetime | int | None = None, file_name: str = "", root_name: str = "ROOT",
                 subkey_list: str = "lh", max_list: int = 512) -> None:
        if subkey_list not in ("lh", "lf", "li"):
            raise ValueError(f"subkey_list must be lh, lf or li, not {subkey_list!r}")
        self.root = Key(root_name, filetime(time))
        self.file_name = file_name
        self.subkey_list = subkey_list
        self.max_list = max(1, max_list)

    def key(self, path: str, last_written: datetime | int | None = None, class_name: str | None = None) -> Key:
        """The key at ``path`` (relative to the root), created when missing; see :meth:`Key.key`."""
        return self.root.key(path, last_written, class_name)

    def to_bytes(self) -> bytes:
        """The whole hive file: base block and hive bins."""
        keys = list(self.root.walk())
        cells = _Cells()
        descriptor = _default_descriptor()
        offsets: dict[int, int] = {}
        placed: list[tuple[Key, int | None]] = []
        sk = None

        def place(key: Key, parent: int | None) -> None:
            nonlocal sk
            name, _ = _name_bytes(key.name)
            offsets[id(key)] = cells.alloc(76 + len(name))
            if sk is None:
                sk = cells.alloc(20 + len(descriptor))
            placed.append((key, parent))
            for sub in key.subkeys:
                place(sub, offsets[id(key)])

        place(self.root, None)
        assert sk is not None
        for key, parent in placed:
            self._write_key(cells, key, offsets, parent, sk)
        cells.put(sk, struct.pack("<2sHIIII", b"sk", 0, sk, sk, len(keys), len(descriptor)) + descriptor)
        newest = max(k.last_written for k in keys)
        hbins = cells.finish(newest)
        return self._base_block(newest, offsets[id(self.root)], len(hbins)) + hbins

    def write(self, path: str | Path) -> Path:
        """Write the hive to ``path`` and return it."""
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path

    def _write_key(self, cells: _Cells, key: Key, offsets: dict[int, int], parent: int | None, sk: int) -> None:
        name, compressed = _name_bytes(key.name)
        class_offset, class_bytes = _NONE, b""
        if key.class_name:
            class_bytes = key.class_name.encode("utf-16-le")
            class_offset = cells.alloc(len(class_bytes))
            cells.put(class_offset, class_bytes)
        values = key.values
        value_list = _NONE
        if values:
            value_list = cells.alloc(4 * len(values))
            cells.put(value_list, b"".join(struct.pack("<I", self._write_value(cells, v)) for v in values))
        subkeys = key.subkeys
        subkey_list = self._write_subkey_list(cells, subkeys, offsets) if subkeys else _NONE
        flags = (0x2C if parent is None else 0) | (0x20 if compressed else 0)
        record = struct.pack(
            "<2sHQIIIIIIIIIIIIIIIHH", b"nk", flags, key.last_written, 0, 0 if parent is None else parent,
            len(subkeys), 0, subkey_list, _NONE, len(values), value_list, sk, class_offset,
            max((2 * len(s.name) for s in subkeys), default=0),
            max((len((s.class_name or "").encode("utf-16-le")) for s in subkeys), default=0),
            max((2 * len(v.name) for v in values), default=0), max((len(v.data) for v in values), default=0),
            0, len(name), len(class_bytes)) + name
        cells.put(offsets[id(key)], record)

    def _write_value(self, cells: _Cells, value: Value) -> int:
        name, compressed = _name_bytes(value.name)
        offset = cells.alloc(20 + len(name))
        data = value.data
        if len(data) <= 4:
            size, where = len(data) | 0x80000000, struct.unpack("<I", data.ljust(4, b"\0"))[0]
        elif len(data) <= BIG_DATA_SEGMENT:
            size, where = len(data), cells.alloc(len(data))
            cells.put(where, data)
        else:
            size, where = len(data), self._write_big_data(cells, data)
        cells.put(offset, struct.pack("<2sHIIIHH", b"vk", len(name), size, where, value.kind,
                                      1 if compressed else 0, 0) + name)
        return offset

    @staticmethod
    def _write_big_data(cells: _Cells, data: bytes) -> int:
        pieces = [data[i:i + BIG_DATA_SEGMENT] for i in range(0, len(data), BIG_DATA_SEGMENT)]
        record = cells.alloc(8)
        segments = cells.alloc(4 * len(pieces))
        places = []
        for piece in pieces:
            place = cells.alloc(len(piece))
            cells.put(place, piece)
            places.append(place)
        cells.put(segments, b"".join(struct.pack("<I", p) for p in places))
        cells.put(record, struct.pack("<2sHI", b"db", len(pieces), segments))
        return record

    def _write_subkey_list(self, cells: _Cells, subkeys: list[Key], offsets: dict[int, int]) -> int:
        groups = [subkeys[i:i + self.max_list] for i in range(0, len(subkeys), self.max_list)]
        lists = [self._write_leaf(cells, group, offsets) for group in groups]
        if len(lists) == 1:
            return lists[0]
        index = cells.alloc(4 + 4 * len(lists))
        cells.put(index, struct.pack("<2sH", b"ri", len(lists)) + b"".join(struct.pack("<I", o) for o in lists))
        return index

    def _write_leaf(self, cells: _Cells, group: list[Key], offsets: dict[int, int]) -> int:
        kind = self.subkey_list
        entries = b""
        for sub in group:
            entries += struct.pack("<I", offsets[id(sub)])
            if kind == "lh":
                entries += struct.pack("<I", _lh_hash(sub.name))
            elif kind == "lf":
                entries += sub.name.encode("ascii", "replace")[:4].ljust(4, b"\0")
        offset = cells.alloc(4 + len(entries))
        cells.put(offset, struct.pack("<2sH", kind.encode(), len(group)) + entries)
        return offset

    def _base_block(self, newest: int, root: int, hbins_size: int) -> bytes:
        block = bytearray(_BIN)
        struct.pack_into("<4sIIQIIIIIII", block, 0, b"regf", 1, 1, newest, 1, 5, 0, 1, root, hbins_size, 1)
        name = self.file_name[-31:].encode("utf-16-le")
        block[48:48 + len(name)] = name
        checksum = 0
        for (word,) in struct.iter_unpack("<I", bytes(block[:508])):
            checksum ^= word
        checksum = {0: 1, 0xFFFFFFFF: 0xFFFFFFFE}.get(checksum, checksum)
        struct.pack_into("<I", block, 508, checksum)
        return bytes(block)
