"""Windows shortcut (.lnk) files read with liblnk: the target, its times and size, the volume and the machine.

::

    from forensics_kit.windows import read_lnk

    info = read_lnk(img, "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/plan.docx.lnk")
    info.local_path, info.drive_type, info.volume_serial, info.machine_id
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any

from forensics_kit.errors import EvidenceError
from forensics_kit.windows._source import BACKEND_ERRORS, backend_error, load
from forensics_kit.windows._times import filetime_iso

DRIVE_TYPES = {0: "unknown", 1: "no root directory", 2: "removable", 3: "fixed", 4: "network", 5: "cd-rom",
               6: "ram disk"}
_LNK_HEADER = b"\x4c\0\0\0\x01\x14\x02\0\0\0\0\0\xc0\0\0\0\0\0\0\x46"


@dataclass(frozen=True)
class ShortcutInfo:
    """What a shortcut records of its target when it was made.

    ``volume_serial`` is written as Windows' ``vol`` shows it (``1A2B-3C4D``);
    ``machine_id`` is the NetBIOS name of the computer that made the link.
    """

    local_path: str | None
    network_path: str | None
    size: int
    created: str | None
    modified: str | None
    accessed: str | None
    attributes: int
    drive_type: str | None
    volume_serial: str | None
    volume_label: str | None
    machine_id: str | None
    droid_volume: str | None
    droid_file: str | None
    birth_droid_volume: str | None
    birth_droid_file: str | None
    description: str | None
    relative_path: str | None
    working_dir: str | None
    arguments: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def serial_text(serial: int | None) -> str | None:
    """A volume serial number as ``vol`` prints it: ``1A2B-3C4D``."""
    if serial is None:
        return None
    return f"{serial >> 16 & 0xFFFF:04X}-{serial & 0xFFFF:04X}"


def read_lnk(source, path: str | None = None, *, name: str | None = None,
             partition: int | None = None) -> ShortcutInfo:
    """Read one .lnk (bytes, a local file, or ``path`` in a DiskImage).

    Raises:
        EvidenceError: not a shell link, or a damaged one (one line, from liblnk).
    """
    import pylnk

    data, label = load(source, path, name=name, partition=partition)
    if data[:20] != _LNK_HEADER:
        raise EvidenceError(label, "not a Windows shortcut (no shell link header)")
    link = pylnk.file()
    try:
        link.open_file_object(io.BytesIO(data))
        has_volume = link.drive_type is not None
        return ShortcutInfo(
            link.local_path, link.network_path, link.file_size or 0,
            filetime_iso(link.get_file_creation_time_as_integer()),
            filetime_iso(link.get_file_modification_time_as_integer()),
            filetime_iso(link.get_file_access_time_as_integer()), link.file_attribute_flags or 0,
            DRIVE_TYPES.get(link.drive_type, str(link.drive_type)) if has_volume else None,
            serial_text(link.drive_serial_number) if has_volume else None,
            link.volume_label if has_volume else None, link.machine_identifier,
            link.droid_volume_identifier, link.droid_file_identifier, link.birth_droid_volume_identifier,
            link.birth_droid_file_identifier, link.description, link.relative_path, link.working_directory,
            link.command_line_arguments)
    except BACKEND_ERRORS as exc:
        raise backend_error(label, exc) from None
    finally:
        try:
            link.close()
        except BACKEND_ERRORS:
            pass
