"""VBA macros out of Office documents, as olevba reads them: the OLE project, its dir stream, each module's source.

A macro-enabled OOXML file (.docm, .xlsm, .pptm) is a zip whose ``vbaProject.bin``
member is an OLE compound file; a legacy .doc/.xls is that compound file itself.
Inside, ``VBA/dir`` (MS-OVBA compressed) lists the modules, their stream names and
where in each module stream the compressed source starts (after the p-code cache).
None of that text is visible to a raw keyword search or a YARA rule run over the
document's bytes: the zip member is deflated and the source is OVBA-compressed.

:func:`read_vba_macros` returns every module's decompressed source;
:func:`decompress` is the MS-OVBA 2.4.1 decompression on its own.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

from forensics_kit.artefacts._source import load_bytes
from forensics_kit.errors import EvidenceError

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
MAX_PROJECT_BYTES = 16 << 20  # a vbaProject.bin larger than this inside a zip is refused (zip bomb)
_CHUNK = 4096


@dataclass
class VbaModule:
    """One VBA module: its name, the OLE stream holding it, and its decompressed source (in the project's code page)."""

    name: str
    stream: str
    source: str
    project: str = ""  # where the project sits: the zip member (word/vbaProject.bin) or "" for an OLE file
    source_offset: int = 0
    codepage: int = 1252
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class OvbaError(ValueError):
    """Bytes that are not an MS-OVBA CompressedContainer."""


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (signature byte, then chunks).

    Raises:
        OvbaError: no signature byte, a chunk header without its signature, or a copy
            token pointing before the start of its chunk.
    """
    if not data or data[0] != 0x01:
        raise OvbaError("no MS-OVBA signature byte (0x01)")
    out = bytearray()
    position = 1
    while position < len(data):
        if position + 2 > len(data):
            raise OvbaError(f"chunk header cut short at byte {position}")
        header = struct.unpack_from("<H", data, position)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0b111 != 0b011:
            raise OvbaError(f"bad chunk signature at byte {position}")
        end = min(position + size, len(data))
        chunk_start = len(out)
        position += 2
        if not header & 0x8000:
            out += data[position:position + _CHUNK]
            position += _CHUNK
            continue
        while position < end:
            flags = data[position]
            position += 1
            for bit in range(8):
                if position >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[position])
                    position += 1
                    continue
                if position + 2 > end:
                    raise OvbaError(f"copy token cut short at byte {position}")
                token = struct.unpack_from("<H", data, position)[0]
                position += 2
                bits = max(4, (len(out) - chunk_start - 1).bit_length())
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                if offset > len(out) - chunk_start:
                    raise OvbaError(f"copy token at byte {position - 2} points before its chunk")
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def read_vba_macros(data: bytes | str, name: str | None = None) -> list[VbaModule]:
    """Every VBA module of an Office document (OOXML zip or OLE file), sources decompressed.

    A document without macros gives an empty list.

    Raises:
        EvidenceError: neither a zip nor an OLE file, or a VBA project that cannot be read.
    """
    data, name = load_bytes(data, name)
    if data.startswith(CFB_MAGIC):
        return _project_modules(data, "", name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise EvidenceError(name, f"not an Office document (neither OLE nor a readable zip: {exc})") from None
    modules: list[VbaModule] = []
    with archive:
        for info in archive.infolist():
            if not info.filename.lower().endswith("vbaproject.bin"):
                continue
            if info.file_size > MAX_PROJECT_BYTES:
                raise EvidenceError(name, f"{info.filename}: claims {info.file_size} bytes, over the cap")
            try:
                with archive.open(info) as stream:
                    project = stream.read(MAX_PROJECT_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, EOFError) as exc:
                raise EvidenceError(name, f"{info.filename}: cannot be extracted: {exc}") from None
            modules += _project_modules(project, info.filename, name)
    return modules


def _project_modules(project: bytes, member: str, name: str) -> list[VbaModule]:
    import olefile

    where = f"{name}!{member}" if member else name
    try:
        ole = olefile.OleFileIO(io.BytesIO(project))
    except (OSError, ValueError, struct.error) as exc:
        raise EvidenceError(where, f"not an OLE compound file: {exc}") from None
    with ole:
        storages = sorted({"/".join(entry[:-1]) for entry in ole.listdir() if entry[-1].lower() == "dir"
                           and len(entry) >= 2})
        modules: list[VbaModule] = []
        for storage in storages:
            try:
                directory = decompress(ole.openstream(f"{storage}/dir").read())
                entries, codepage = _dir_modules(directory)
            except (OvbaError, OSError, struct.error) as exc:
                raise EvidenceError(where, f"{storage}/dir: {exc}") from None
            for module_name, stream_name, offset in entries:
                path = f"{storage}/{stream_name}"
                try:
                    raw = ole.openstream(path).read()
                    source = decompress(raw[offset:])
                except (OvbaError, OSError) as exc:
                    raise EvidenceError(where, f"{path}: {exc}") from None
                modules.append(VbaModule(module_name, path, source.decode(codec_of(codepage), errors="replace"),
                                         member, offset, codepage))
    return modules


def _dir_modules(directory: bytes) -> tuple[list[tuple[str, str, int]], int]:
    """(module name, stream name, source offset) of every module in a decompressed dir stream, and its code page."""
    position, codepage = 0, 1252
    modules: list[tuple[str, str, int]] = []
    current: dict[str, Any] = {}
    while position + 6 <= len(directory):
        record, size = struct.unpack_from("<HI", directory, position)
        position += 6
        if record == 0x0009:  # PROJECTVERSION: its 'size' is a reserved 4, then 6 bytes follow
            size = 6
        value = directory[position:position + size]
        if len(value) < size:
            raise OvbaError(f"dir record 0x{record:04X} cut short")
        position += size
        if record == 0x0003:
            codepage = struct.unpack("<H", value[:2])[0]
        elif record == 0x0019:
            current = {"name": value.decode(codec_of(codepage), errors="replace")}
        elif record == 0x001A:
            current["stream"] = value.decode(codec_of(codepage), errors="replace")
        elif record == 0x0031:
            current["offset"] = struct.unpack("<I", value[:4])[0]
        elif record == 0x002B:
            if "stream" not in current or "offset" not in current:
                raise OvbaError("a module record without its stream name or source offset")
            modules.append((current["name"], current["stream"], current["offset"]))
            current = {}
        elif record == 0x0010:
            break
    return modules, codepage


def codec_of(codepage: int) -> str:
    """Python's codec for a Windows code page (cp1252 when Python has none)."""
    name = f"cp{codepage}"
    try:
        "".encode(name)
    except LookupError:
        return "cp1252"
    return name
