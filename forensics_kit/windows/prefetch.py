"""Windows prefetch (.pf) files read with libscca: which program ran, how often, when, and what it touched.

::

    from forensics_kit.windows import read_prefetch

    pf = read_prefetch(img, "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf")
    pf.executable, pf.run_count, pf.last_run_times[0], pf.volumes[0].serial, pf.files

Windows writes a prefetch file about ten seconds after a program starts; the last run
times are those starts (newest first, up to eight on Windows 8 and later, one on
Windows 7). Files are named by volume device path (``\\VOLUME{...}\\USERS\\...``), as
``sccainfo`` prints them. Windows 10's MAM-compressed files are read where libscca
decompresses them.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any

from forensics_kit.errors import EvidenceError
from forensics_kit.windows._source import BACKEND_ERRORS, backend_error, load
from forensics_kit.windows._times import filetime_iso
from forensics_kit.windows.lnk import serial_text

_VERSIONS = {17, 23, 26, 30, 31}


@dataclass(frozen=True)
class PrefetchVolume:
    """A volume the program's files lay on: device path, serial (``1A2B-3C4D``) and creation time."""

    device_path: str
    serial: str
    created: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PrefetchInfo:
    """What one prefetch file records of its program."""

    executable: str
    prefetch_hash: str
    format_version: int
    run_count: int
    last_run_times: list[str]
    volumes: list[PrefetchVolume]
    files: list[str]

    @property
    def last_run(self) -> str | None:
        """The newest run time."""
        return self.last_run_times[0] if self.last_run_times else None

    def executable_path(self) -> str | None:
        """The device path of the executable itself among the files it loaded, or None."""
        name = self.executable.upper()
        return next((f for f in self.files if f.upper().rsplit("\\", 1)[-1] == name), None)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["last_run"] = self.last_run
        return out


def _is_prefetch(data: bytes) -> bool:
    if data[:3] == b"MAM":  # Windows 10 compression (Xpress Huffman)
        return True
    return len(data) >= 84 and data[4:8] == b"SCCA" and int.from_bytes(data[:4], "little") in _VERSIONS


def read_prefetch(source, path: str | None = None, *, name: str | None = None,
                  partition: int | None = None) -> PrefetchInfo:
    """Read one prefetch file (bytes, a local file, or ``path`` in a DiskImage).

    Raises:
        EvidenceError: not a prefetch file, or a damaged one (one line, from libscca).
    """
    import pyscca

    data, label = load(source, path, name=name, partition=partition)
    if not _is_prefetch(data):
        raise EvidenceError(label, "not a Windows prefetch file (no SCCA or MAM signature)")
    pf = pyscca.file()
    try:
        pf.open_file_object(io.BytesIO(data))
        runs = []
        for index in range(8 if pf.format_version >= 26 else 1):
            when = filetime_iso(pf.get_last_run_time_as_integer(index))
            if when:
                runs.append(when)
        volumes = []
        for index in range(pf.number_of_volumes):
            volume = pf.get_volume_information(index)
            volumes.append(PrefetchVolume(volume.device_path or "", serial_text(volume.serial_number) or "",
                                          filetime_iso(volume.get_creation_time_as_integer())))
        files = [pf.get_filename(i) for i in range(pf.number_of_filenames)]
        return PrefetchInfo(pf.executable_filename or "", f"{pf.prefetch_hash:08X}", pf.format_version,
                            pf.run_count, runs, volumes, files)
    except BACKEND_ERRORS as exc:
        raise backend_error(label, exc) from None
    finally:
        try:
            pf.close()
        except BACKEND_ERRORS:
            pass


def prefetch_files(img, partition: int | None = None) -> list[tuple[str, PrefetchInfo | EvidenceError]]:
    """Every ``.pf`` in ``/Windows/Prefetch`` of the image with what it says (or why it cannot be read)."""
    out: list[tuple[str, PrefetchInfo | EvidenceError]] = []
    for record in img.walk(partition):
        if (record.allocated and record.type == "file" and not record.stream
                and record.path.lower().startswith("/windows/prefetch/") and record.name.lower().endswith(".pf")):
            try:
                out.append((record.path, read_prefetch(img, record.path, partition=record.partition)))
            except EvidenceError as exc:
                out.append((record.path, exc))
    return sorted(out, key=lambda pair: pair[0].lower())
