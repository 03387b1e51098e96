"""Windows artefacts written byte for byte: registry hives, event logs, shortcuts, Recycle Bin records.

Each writer is a small typed API with deterministic output (times come from the
caller, never the clock) and a docstring naming the format document it follows.
The kit's readers (:mod:`forensics_kit.windows`) and the field's tools (RegRipper,
hivexsh, evtxexport, lnkinfo) read what they write; see ``tests/windows``.

Modules: ``regf`` (hives), ``evtx`` (event logs), ``lnk`` (shortcuts), ``recycle``
(``$I``/``$R``), ``usb`` (a stick's traces in SYSTEM, SOFTWARE and setupapi.dev.log),
``accounts`` (SAM accounts, UserAssist, RecentDocs, Run, TypedPaths, RunMRU, services),
``prefetch`` (.pf files, versions 23 and 30), ``jumplist`` (AutomaticDestinations Jump Lists
on the compound-file writer), ``skeleton`` (:class:`WindowsVolume`: the files above laid out
as a system volume).

Recipes reach them through the content generators of
:mod:`forensics_kit.builder.contents.windows_artefacts` (``registry_hive`` with its ``usb``,
``ntuser`` and ``usrclass`` forms, ``evtx``, ``lnk``, ``recycle_info``, ``setupapi_log``), each
planted as an NTFS item with the recipe's times; the audit's ``windows-*`` rules tie them to
the file system and to each other; ``prefetch`` and ``jumplist`` are in
:mod:`forensics_kit.builder.contents.windows_system`, the NTFS change journal in
:mod:`forensics_kit.builder.ntfs_usn`. Not yet here: MAM-compressed prefetch,
customDestinations Jump Lists.
"""

from __future__ import annotations

from forensics_kit.builder.windows.evtx import (
    Event,
    EventLog,
    Guid,
    Hex,
    Sid,
    log_cleared,
    security_event,
    system_event,
)
from forensics_kit.builder.windows.lnk import DRIVE_FIXED, DRIVE_REMOVABLE, Shortcut, droid_object_id
from forensics_kit.builder.windows.prefetch import Prefetch, prefetch_hash
from forensics_kit.builder.windows.recycle import RecycledFile, info_record, recycle
from forensics_kit.builder.windows.regf import (
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_FILETIME_PROPERTY,
    REG_MULTI_SZ,
    REG_NONE,
    REG_QWORD,
    REG_SZ,
    Hive,
    Key,
)
from forensics_kit.builder.windows.skeleton import WindowsVolume
from forensics_kit.builder.windows.usb import UsbStick, add_usb_stick, setupapi_log

__all__ = [
    "DRIVE_FIXED", "DRIVE_REMOVABLE", "REG_BINARY", "REG_DWORD", "REG_EXPAND_SZ", "REG_FILETIME_PROPERTY",
    "REG_MULTI_SZ", "REG_NONE", "REG_QWORD", "REG_SZ", "Event", "EventLog", "Guid", "Hex", "Hive", "Key",
    "Prefetch", "RecycledFile", "Shortcut", "Sid", "UsbStick", "WindowsVolume", "add_usb_stick", "droid_object_id",
    "info_record", "log_cleared", "prefetch_hash", "recycle", "security_event", "setupapi_log", "system_event",
]
