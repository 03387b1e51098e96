"""Registry hives read with libregf (the libyal library dfvfs and plaso use): keys, values, last-written times.

::

    from forensics_kit.windows import open_hive

    with open_image("laptop.E01") as img, open_hive(img, "/Windows/System32/config/SYSTEM") as hive:
        key = hive.key("Select")                 # RegistryKey(path, last_written, values, ...)
        hive.value_data("Select", "Current")     # 1
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from forensics_kit.errors import EvidenceError, NotFoundError
from forensics_kit.windows._source import BACKEND_ERRORS, backend_error, load
from forensics_kit.windows._times import filetime_iso

VALUE_TYPES = {0: "REG_NONE", 1: "REG_SZ", 2: "REG_EXPAND_SZ", 3: "REG_BINARY", 4: "REG_DWORD",
               5: "REG_DWORD_BIG_ENDIAN", 6: "REG_LINK", 7: "REG_MULTI_SZ", 8: "REG_RESOURCE_LIST",
               9: "REG_FULL_RESOURCE_DESCRIPTOR", 10: "REG_RESOURCE_REQUIREMENTS_LIST", 11: "REG_QWORD",
               0xFFFF0010: "DEVPROP_TYPE_FILETIME"}


def decode_value(kind: int, data: bytes) -> Any:
    """A value's data as an examiner reads it: text, list of texts, number, else lower-case hex."""
    if kind in (1, 2, 6):
        text = data.decode("utf-16-le", errors="replace")
        return text.split("\0", 1)[0]
    if kind == 7:
        text = data.decode("utf-16-le", errors="replace").rstrip("\0")
        return [s for s in text.split("\0")] if text else []
    if kind == 4 and len(data) >= 4:
        return struct.unpack_from("<I", data)[0]
    if kind == 5 and len(data) >= 4:
        return struct.unpack_from(">I", data)[0]
    if kind in (11, 0xFFFF0010) and len(data) >= 8:
        return struct.unpack_from("<Q", data)[0]
    return data.hex()


@dataclass(frozen=True)
class RegistryValue:
    """One value: name (``""`` is the default value), type name, decoded data and size in bytes."""

    name: str
    type: str
    data: Any
    size: int
    raw: bytes = field(repr=False, compare=False, default=b"")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("raw")
        return out


@dataclass(frozen=True)
class RegistryKey:
    """One key: path from the root (``ControlSet001\\Enum``), last-written time, class name, subkeys, values."""

    path: str
    name: str
    last_written: str | None
    class_name: str | None
    subkeys: list[str]
    values: list[RegistryValue]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["values"] = [v.to_dict() for v in self.values]
        return out

    def get(self, name: str, default: Any = None) -> Any:
        """The decoded data of value ``name`` (case-insensitive), or ``default``."""
        for value in self.values:
            if value.name.lower() == name.lower():
                return value.data
        return default


class Hive:
    """An open hive file; :func:`open_hive` makes one. Key paths are relative to the root, ``\\``-separated."""

    def __init__(self, data: bytes, name: str) -> None:
        import pyregf

        self.name = name
        self._data = data
        self._stream = io.BytesIO(data)
        self._file = pyregf.file()
        try:
            self._file.open_file_object(self._stream)
            self._root = self._file.get_root_key()
        except BACKEND_ERRORS as exc:
            raise backend_error(name, exc) from None
        if self._root is None:
            raise EvidenceError(name, "the hive has no root key")

    def __enter__(self) -> Hive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._file.close()
        except BACKEND_ERRORS:
            pass

    @property
    def root_name(self) -> str:
        return self._root.name or ""

    def _raw(self, path: str) -> Any:
        path = path.strip("\\")
        if not path:
            return self._root
        try:
            key = self._root.get_sub_key_by_path(path)
        except BACKEND_ERRORS as exc:
            raise backend_error(f"{self.name}:{path}", exc) from None
        if key is None:
            raise NotFoundError(f"{self.name}: no key {path}")
        return key

    def exists(self, path: str) -> bool:
        try:
            self._raw(path)
        except NotFoundError:
            return False
        return True

    def key(self, path: str = "") -> RegistryKey:
        """The key at ``path`` with its values. Raises NotFoundError when there is none."""
        return self._record(self._raw(path), path.strip("\\"))

    def subkeys(self, path: str = "") -> list[RegistryKey]:
        """The subkeys of ``path`` in stored order (upper-case name order)."""
        base = path.strip("\\")
        try:
            return [self._record(sub, f"{base}\\{sub.name}" if base else sub.name)
                    for sub in self._raw(path).sub_keys]
        except BACKEND_ERRORS as exc:
            raise backend_error(f"{self.name}:{base}", exc) from None

    def walk(self, path: str = "") -> Iterator[RegistryKey]:
        """Every key from ``path`` down, depth first."""
        stack = [self.key(path)]
        while stack:
            key = stack.pop()
            yield key
            stack.extend(reversed(self.subkeys(key.path)))

    def value_data(self, path: str, name: str, default: Any = None) -> Any:
        """The decoded data of one value, or ``default`` when the key or value is missing."""
        try:
            return self.key(path).get(name, default)
        except NotFoundError:
            return default

    def _resident(self, value: Any) -> bytes | None:
        """Data of 1-3 bytes kept inside the vk record, read from its start as Windows and hivex read it
        (libregf 20260526 returns the last bytes of the 4-byte field instead)."""
        size = value.get_data_size() or 0
        if not 0 < size < 4:
            return None
        at = value.offset
        record = self._data[at:at + 12]
        if len(record) < 12 or record[:2] != b"vk" or not struct.unpack_from("<I", record, 4)[0] & 0x80000000:
            return None
        return record[8:8 + size]

    def _record(self, key: Any, path: str) -> RegistryKey:
        try:
            values = []
            for value in key.values:
                raw = self._resident(value) or value.data or b""
                values.append(RegistryValue(value.name or "", VALUE_TYPES.get(value.type, f"0x{value.type:x}"),
                                            decode_value(value.type, raw), len(raw), raw))
            return RegistryKey(path, key.name or "", filetime_iso(key.get_last_written_time_as_integer()),
                               key.class_name or None, [s.name for s in key.sub_keys], values)
        except BACKEND_ERRORS as exc:
            raise backend_error(f"{self.name}:{path}", exc) from None


def open_hive(source, path: str | None = None, *, name: str | None = None, partition: int | None = None) -> Hive:
    """Open a hive: bytes, a local file, or ``path`` inside an open DiskImage.

    Raises:
        EvidenceError: not a readable regf hive (one line, from libregf).
        NotFoundError: ``path`` is not in the image.
    """
    data, label = load(source, path, name=name, partition=partition)
    if data[:4] != b"regf":
        raise EvidenceError(label, "not a registry hive (no regf signature)")
    return Hive(data, label)
