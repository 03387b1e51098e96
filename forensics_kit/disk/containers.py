"""Open the media of an image file read-only, whatever its container format.

Raw images go straight to TSK; container formats (EWF, split raw, QCOW2,
VHD/VHDX, VMDK, UDIF .dmg) are opened with the libyal bindings and handed to TSK
as an external image, so one code path (pytsk3) reads volumes and file systems.
An EWF set with a segment missing is refused at once, naming the segment, rather
than failing later at the first read past the segments present; a segment cut
short opens with a warning (:attr:`Media.warnings`). Back-end errors, however
long their chain, reach every reader as one short line (:func:`one_line`).
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytsk3

from forensics_kit.errors import EvidenceError
from forensics_kit.media_format import EWF1_MAGIC as _EWF1_MAGIC
from forensics_kit.media_format import identify

# One frame of a libyal error chain: "libewf_handle_open: " at the start or after ". ".
_LIBYAL_FRAME = re.compile(r"(?:^['\"]?|(?<=\.)\s+)(?:py|lib)[a-z0-9]+_[a-z0-9_]+: ")
_TSK3_WHERE = re.compile(r"\w+: \(tsk3\.cpp:\d+\) ")
_PY_REPR = re.compile(r"\b[A-Z][A-Za-z]*Error\(['\"](.*?)['\"]\)")
# TSK reading a truncated image: "Read error: Error reading image file (tsk_fs_read: Offset missing in
# partial image: 1098752)) (tsk_fs_attr_read_type: offset: 1098752  Len: 5632)".
_PAST_END = re.compile(
    r"Read error: Error reading image file \(tsk_fs_read: Offset missing in partial image: (\d+)\)+.*"
)
_EWF_SECTION = 76  # EWF1 section descriptor: type[16], next offset, size, padding, checksum


def _libyal_cause(line: str) -> str:
    """A libyal chain ("unable to open handle. libewf_x: cause. libewf_y: ...") as "what: root cause".

    libyal lists the binding's frame first, then the innermost cause, then each
    caller outwards; the first two say all an examiner needs.
    """
    frames = [part.strip().rstrip(".").strip() for part in _LIBYAL_FRAME.split(line)]
    frames = [frame for frame in frames if frame]
    if len(frames) < 2 or not _LIBYAL_FRAME.search(line):
        return line
    return f"{frames[0]}: {frames[1]}"


def one_line(exc: BaseException) -> str:
    """Boil a back-end error (multi-line from TSK, a chain from libyal) down to one readable line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    seen: list[str] = []
    for line in lines:
        line = _PY_REPR.sub(r"\1", _TSK3_WHERE.sub("", line))  # pytsk3 wraps our OSError('...') in its own text
        line = _PAST_END.sub(r"image byte \1 lies past the end of the (truncated) image", line)
        line = _libyal_cause(line)
        # TSK prefixes lines with the function name: "tsk_fs_file_open_meta: ..."
        line = re.sub(r"^[a-z_0-9]+: ", "", line)
        if line not in seen:
            seen.append(line)
    text = "; ".join(seen)
    return text if len(text) <= 200 else text[:197] + "..."


class _ExternalImage(pytsk3.Img_Info):
    """A libyal handle (pyewf, pysmraw, pyqcow, pyvhdi, pyvmdk, pymodi) seen by TSK as an image."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._size = handle.get_media_size()
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        """Read from the container; a libyal error chain comes out as one short OSError line."""
        try:
            return self._handle.read_buffer_at_offset(size, offset)
        except Exception as exc:  # noqa: BLE001 - libyal raises OSError, MemoryError...; every reader gets one line
            raise OSError(one_line(exc)) from exc

    def get_size(self) -> int:
        return self._size

    def close(self) -> None:
        self._handle.close()


@dataclass(slots=True)
class Media:
    """An opened image: what TSK reads, the container format, the media size, problems stepped over."""

    img: pytsk3.Img_Info
    format: str
    size: int
    metadata: dict[str, str] = field(default_factory=dict)
    stored_hashes: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def close(self) -> None:
        """Release the container handle."""
        try:
            self.img.close()
        except Exception:  # noqa: BLE001 - closing must never mask the real result
            pass


def _open_ewf(path: str) -> Any:
    import pyewf

    handle = pyewf.handle()
    handle.open(pyewf.glob(path))
    return handle


def _ewf_segments(path: str) -> list[str]:
    """The segment files of the set ``path`` belongs to; just ``path`` when libewf finds no set (no .E01)."""
    import pyewf

    try:
        return list(pyewf.glob(path))
    except Exception:  # noqa: BLE001 - pyewf.glob raises MemoryError when the first segment is missing
        return [path]


def ewf_segment_name(first: str, number: int) -> str:
    """The file name libewf gives segment ``number`` of the set whose first segment is ``first``.

    ``.E01``..``.E99``, then ``.EAA``, ``.EAB``... (the letter and case of the first segment's).
    """
    stem, letter = first[:-3], first[-3]
    if number < 100:
        return f"{stem}{letter}{number:02d}"
    rest = number - 100
    upper = letter.isupper()
    chars = [chr(ord(letter.upper()) + rest // 676), chr(ord("A") + rest // 26 % 26), chr(ord("A") + rest % 26)]
    text = "".join(chars)
    return stem + (text if upper else text.lower())


def _ewf1_segment(path: str) -> tuple[int, str | None, int]:
    """(segment number, type of its last section, bytes its sections run past the file) of an EWF1 segment.

    The last section of a whole segment is ``next`` (another follows) or ``done``;
    anything else means the file was cut short.
    """
    with open(path, "rb") as stream:
        head = stream.read(13)
        number = struct.unpack_from("<H", head, 9)[0]
        size = stream.seek(0, os.SEEK_END)
        offset, last = 13, None
        for _ in range(1 << 16):
            stream.seek(offset)
            descriptor = stream.read(_EWF_SECTION)
            if len(descriptor) < _EWF_SECTION:
                return number, last, offset + _EWF_SECTION - size
            last = descriptor[:16].rstrip(b"\0").decode("ascii", "replace")
            following = struct.unpack_from("<Q", descriptor, 16)[0]
            if last in ("done", "next") or following <= offset:
                return number, last, 0
            if following >= size:
                return number, last, following - size
            offset = following
    return number, None, 0


def check_ewf_segments(path: str, segments: list[str]) -> list[str]:
    """Check an EWF1 set's segments before libewf opens it; the problems that still let it open.

    Returns:
        Warnings for segments cut short (the chunks stored there cannot be read).

    Raises:
        EvidenceError: the set does not start at segment 1 (naming the first one to
            open), or a segment is missing (naming it).
    """
    if not segments:
        return []
    try:
        with open(segments[0], "rb") as stream:
            if not stream.read(8).startswith(_EWF1_MAGIC):
                return []  # EWF2 (Ex01) keeps its chain differently; libewf reports its own problems
        found = [_ewf1_segment(segment) for segment in segments]
    except (OSError, struct.error):
        return []
    first = Path(segments[0]).name
    if found[0][0] != 1:
        name = ewf_segment_name(first, 1)
        if (Path(segments[0]).parent / name).exists():
            raise EvidenceError(path, f"this is segment {found[0][0]} of an EWF set, not the first; open {name}")
        raise EvidenceError(path, f"EWF segment {name} is missing: this is segment {found[0][0]} of the set")
    for expected, (number, _last, _missing) in enumerate(found, 1):
        if number != expected:
            missing = ewf_segment_name(first, expected)
            raise EvidenceError(path, f"EWF segment {missing} is missing (segment {expected} of the set)")
    warnings = []
    for segment, (_number, last, missing) in zip(segments, found, strict=True):
        if last not in ("next", "done"):
            warnings.append(
                f"truncated image: EWF segment {Path(segment).name} is cut short ({missing} bytes of its "
                f"'{last}' section are missing); the chunks stored there cannot be read"
            )
    if found[-1][1] == "next":
        missing = ewf_segment_name(first, len(found) + 1)
        raise EvidenceError(
            path, f"EWF segment {missing} is missing: {Path(segments[-1]).name} says another segment follows"
        )
    return warnings


def _open_split(path: str) -> Any:
    import pysmraw

    handle = pysmraw.handle()
    handle.open(pysmraw.glob(path))
    return handle


def _open_qcow(path: str) -> Any:
    import pyqcow

    handle = pyqcow.file()
    handle.open(path)
    return handle


def _open_vhdi(path: str) -> Any:
    import pyvhdi

    handle = pyvhdi.file()
    handle.open(path)
    return handle


def _open_vmdk(path: str) -> Any:
    import pyvmdk

    handle = pyvmdk.handle()
    handle.open(path)
    handle.open_extent_data_files()
    return handle


def _open_modi(path: str) -> Any:
    import pymodi

    handle = pymodi.handle()
    handle.open(path)
    return handle


# How each container format named by :func:`forensics_kit.media_format.identify` is opened (raw: by TSK itself).
_OPENERS: dict[str, Callable[[str], Any]] = {
    "ewf": _open_ewf, "dmg": _open_modi, "qcow2": _open_qcow, "vhdx": _open_vhdi, "vhd": _open_vhdi,
    "vmdk": _open_vmdk, "split-raw": _open_split,
}


def segment_hint(path: str) -> str:
    """Point at the first segment when a later segment of a split set was given."""
    match = re.search(r"\.(\d{3})$", path)
    if not match:
        return ""
    for suffix in (".000", ".001"):
        candidate = path[: match.start()] + suffix
        if suffix < match.group(0) and Path(candidate).exists():
            return f"; this looks like a later segment of a split image, open {Path(candidate).name}"
    return ""


def open_media(path: str | Path) -> Media:
    """Open an image file read-only and return what TSK needs to read it.

    Raises:
        EvidenceError: the path is missing, a directory, empty, unreadable, or the
            container is damaged.
    """
    name = os.fspath(path)
    fmt = identify(name)
    opener = _OPENERS.get(fmt)
    warnings: list[str] = []
    try:
        if fmt == "ewf":
            warnings = check_ewf_segments(name, _ewf_segments(name))
        if opener is None:
            img = pytsk3.Img_Info(name)
        else:
            img = _ExternalImage(opener(name))
        size = img.get_size()
    except EvidenceError:
        raise
    except Exception as exc:  # noqa: BLE001 - libyal bindings raise OSError, MemoryError, ValueError...
        raise EvidenceError(name, f"cannot open as {fmt} image: {one_line(exc)}") from exc
    metadata, hashes = _acquisition_record(img)
    return Media(img=img, format=fmt, size=size, metadata=metadata, stored_hashes=hashes, warnings=warnings)


def _acquisition_record(img: pytsk3.Img_Info) -> tuple[dict[str, str], dict[str, str]]:
    """What the acquisition tool wrote into the container (EWF: examiner, case, hashes).

    Formats without such a record (raw, QCOW2, VHD, VMDK) give two empty dicts.
    """
    handle = getattr(img, "_handle", None)
    if handle is None or not hasattr(handle, "get_header_values"):
        return {}, {}
    try:
        metadata = {str(k): str(v) for k, v in (handle.get_header_values() or {}).items() if v not in (None, "")}
        stored = handle.get_hash_values() or {}
        hashes = {str(k).lower().replace("-", ""): str(v).lower() for k, v in stored.items() if v}
        metadata["bytes_per_sector"] = str(handle.get_bytes_per_sector())
        metadata["number_of_sectors"] = str(handle.get_number_of_sectors())
    except (OSError, RuntimeError, ValueError, TypeError):
        return {}, {}
    return metadata, hashes
