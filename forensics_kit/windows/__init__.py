"""Windows artefacts read as an examiner reads them, with the libyal libraries dfvfs belongs to.

Registry hives (libregf), event logs (libevtx), shortcuts and Jump Lists (liblnk, olefile),
prefetch files (libscca), Recycle Bin ``$I`` records and the NTFS change journal (by hand),
and the USB device history joined from them. Each reader takes bytes, a local file, or an
open :class:`~forensics_kit.disk.DiskImage` and a path inside it; every back-end failure is
one line of :class:`~forensics_kit.errors.EvidenceError`.
"""

from __future__ import annotations

from forensics_kit.windows.accounts import (
    LocalAccount,
    UserAssistEntry,
    local_accounts,
    machine_sid,
    recent_docs,
    run_entries,
    user_assist,
)
from forensics_kit.windows.evtx import EventRecord, read_events
from forensics_kit.windows.jumplist import JumpListEntry, read_jump_list
from forensics_kit.windows.lnk import ShortcutInfo, read_lnk, serial_text
from forensics_kit.windows.logons import LOGON_TYPES, LogonSource, logon_summary
from forensics_kit.windows.prefetch import PrefetchInfo, PrefetchVolume, prefetch_files, read_prefetch
from forensics_kit.windows.recycle import RecycleEntry, parse_info, read_info, recycle_bin
from forensics_kit.windows.registry import Hive, RegistryKey, RegistryValue, open_hive
from forensics_kit.windows.shellbags import ShellBag, shell_bags
from forensics_kit.windows.usb import UsbDevice, setupapi_installs, usb_history
from forensics_kit.windows.usnjrnl import UsnChange, parse_journal, usn_journal

__all__ = [
    "LOGON_TYPES", "EventRecord", "Hive", "JumpListEntry", "LocalAccount", "LogonSource", "PrefetchInfo",
    "PrefetchVolume", "RecycleEntry", "RegistryKey", "RegistryValue", "ShellBag", "ShortcutInfo", "UsbDevice",
    "UsnChange", "UserAssistEntry", "local_accounts", "logon_summary", "machine_sid", "open_hive", "parse_info",
    "parse_journal", "prefetch_files", "read_events", "read_info", "read_jump_list", "read_lnk", "read_prefetch",
    "recent_docs", "recycle_bin", "run_entries", "serial_text", "setupapi_installs", "shell_bags", "usb_history",
    "user_assist", "usn_journal",
]
