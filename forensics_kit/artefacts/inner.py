"""What sits inside a compressed container, as an examiner unpacks it: zip members inflated, VBA sources decompressed.

A raw keyword search or YARA rule over a file's bytes does not see the text of
a deflated zip member (docx, xlsx, docm, jar, zip) nor of an OVBA-compressed VBA
module. :func:`inner_streams` yields each of them as plain bytes with a
container path (``word/vbaProject.bin!VBA/ThisDocument``, joined to the file's
path with ``!``), so a scan can read them and say where the text was.
A member that cannot be unpacked is reported in ``warnings`` and skipped.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

from forensics_kit.artefacts.vba import CFB_MAGIC, codec_of, read_vba_macros
from forensics_kit.errors import EvidenceError

ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBER_BYTES = 64 << 20  # a member inflating past this is skipped (zip bomb)
MAX_DEPTH = 3  # a zip in a zip in a zip, no deeper


def is_container(data: bytes) -> bool:
    """Whether ``data`` starts like a zip or an OLE compound file."""
    return data.startswith(ZIP_MAGIC) or data.startswith(CFB_MAGIC)


def inner_streams(data: bytes, name: str, warnings: list[str] | None = None,
                  _depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """(container path, bytes) of every zip member (inflated) and VBA module source (decompressed) in ``data``."""
    warnings = warnings if warnings is not None else []
    if data.startswith(CFB_MAGIC):
        yield from _vba(data, name, warnings)
        return
    if not data.startswith(ZIP_MAGIC) or _depth >= MAX_DEPTH:
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        warnings.append(f"{name}: not unpacked: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                warnings.append(f"{name}!{info.filename}: not unpacked: claims {info.file_size} bytes")
                continue
            try:
                with archive.open(info) as stream:
                    member = stream.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, EOFError,
                    RuntimeError) as exc:
                warnings.append(f"{name}!{info.filename}: not unpacked: {exc}")
                continue
            yield info.filename, member
            for inner, content in inner_streams(member, f"{name}!{info.filename}", warnings, _depth + 1):
                yield f"{info.filename}!{inner}", content


def _vba(data: bytes, name: str, warnings: list[str]) -> Iterator[tuple[str, bytes]]:
    try:
        modules = read_vba_macros(data, name)
    except EvidenceError as exc:
        warnings.append(f"{name}: VBA not read: {exc}")
        return
    for module in modules:
        yield module.stream, module.source.encode(codec_of(module.codepage), errors="replace")
