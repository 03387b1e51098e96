"""A Windows system volume's prefetch files as recipe items, and the facts shortcuts take from their volume.

``prefetch``: a ``.pf`` file (version 30, Windows 10; 23, Windows 7) for ``executable``
with its ``run_count``, up to eight ``run_times`` (any order; newest first in the file) and
the files it ``loaded`` (Windows paths on the same volume; the executable is added).
``run_offset`` (seconds, default 0) shifts every run time: a program starts before the file
it writes, so ``run_times: ["{{ t_zip }}"]`` with ``run_offset: -12`` says "started 12 s
before the archive appeared". ``volume: this`` takes the volume serial and creation time
from the NTFS volume the item is planted on (else ``volume_serial``/``volume_created``)::

    content:
      generate: prefetch
      executable: "C:\\\\Program Files\\\\7-Zip\\\\7zG.exe"
      run_count: 3
      run_times: ["{{ t_zip }}", "{{ t_7z_a }}", "{{ t_7z_b }}"]
      run_offset: -12
      loaded: ["C:\\\\Users\\\\{{ user }}\\\\Downloads\\\\tender.zip"]
      volume: this

The item's path must be the name Windows gives the file (``/Windows/Prefetch/7ZG.EXE-<hash>.pf``,
the hash of the executable's device path); the audit rule ``windows-prefetch`` checks it.

``jumplist``: an ``<AppID>.automaticDestinations-ms`` file (the item's path names the AppID)
whose ``entries`` each name a document by ``target_item`` (or ``target``, ``size``, times),
with ``accessed`` (the last time the program opened it), ``count`` and ``pinned``;
``machine_id`` and ``volume_label`` as for ``lnk``. Each entry's shortcut takes its target's
facts from the planted item, as a ``lnk`` with ``target_item`` does.

``pe``: a Windows executable or DLL that loads as one but does nothing (a PE32+ header for
x86-64, one ``.text`` section of seeded bytes), so the programs a prefetch file names are on
the volume where it says: ``size`` (of the section, default 64 KiB), ``dll: true``,
``built`` (the linker's TimeDateStamp), ``subsystem`` (``gui``, default, or ``console``).
Simplified: no imports, resources or signature; its hash is no real program's.

A ``lnk`` item may name its target by ``target_item: ID`` instead of copying the target's
size and times by hand: :func:`resolve_volume_references` fills them (and the volume serial)
from that item as it is planted on the same volume, so they agree with the file system.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import PureWindowsPath
from typing import Any

from forensics_kit.builder.content import ContentError, ContentGenerator, make_content
from forensics_kit.builder.windows.jumplist import JumpEntry, JumpList
from forensics_kit.builder.windows.lnk import DRIVE_FIXED, Shortcut
from forensics_kit.builder.windows.prefetch import Prefetch
from forensics_kit.timefmt import parse_iso

_MAX_RUN_TIMES = {23: 1, 30: 8}


def _time(value: Any, what: str) -> datetime:
    try:
        return parse_iso(str(value))
    except ValueError:
        raise ContentError(f"{what}: bad time {value!r} (use e.g. 2024-05-14T09:30:00Z)") from None


def _serial(value: Any) -> int:
    """A volume serial given as ``1A2B-3C4D``, ``0x1a2b3c4d`` or an integer."""
    if isinstance(value, int):
        return value
    return int(str(value).replace("-", "").removeprefix("0x"), 16)


def volume_device(created: datetime, serial: int) -> str:
    """``\\VOLUME{<creation FILETIME>-<serial>}``, the device name prefetch files give a volume."""
    from forensics_kit.builder.windows._common import filetime

    return f"\\VOLUME{{{filetime(created):016x}-{serial & 0xFFFFFFFF:08x}}}"


class PrefetchContent(ContentGenerator):
    """A prefetch file: the executable, its run count and last run times, its volume, the files it loaded."""

    name = "prefetch"

    def generate(self, spec, rng):
        version = int(spec.get("version", 30))
        if version not in _MAX_RUN_TIMES:
            raise ContentError(f"prefetch: version {version} is not written (known: 23, 30)")
        offset = timedelta(seconds=float(spec.get("run_offset", 0)))
        runs = sorted((_time(t, f"prefetch.run_times[{n}]") + offset for n, t in enumerate(spec.get("run_times", []))),
                      reverse=True)
        if not runs:
            raise ContentError("prefetch: give at least one run time")
        if len(runs) > _MAX_RUN_TIMES[version]:
            raise ContentError(f"prefetch: version {version} keeps at most {_MAX_RUN_TIMES[version]} run times")
        count = int(spec.get("run_count", len(runs)))
        if count < len(runs):
            raise ContentError(f"prefetch: run_count {count} is less than the {len(runs)} run times given")
        if spec.get("volume") == "this" and "volume_serial" not in spec:
            serial, created = 0, datetime(1970, 1, 1, tzinfo=UTC)  # filled in when planted
        else:
            serial = _serial(spec.get("volume_serial", 0))
            created = _time(spec.get("volume_created", "2020-01-01T00:00:00Z"), "prefetch.volume_created")
        return Prefetch(str(spec["executable"]), count, runs, serial & 0xFFFFFFFF, created,
                        loaded=[str(p) for p in spec.get("loaded", [])], version=version,
                        volume_device=volume_device(created, serial)).to_bytes()


def _opt_time(value: Any, what: str) -> datetime | None:
    return _time(value, what) if value else None


class JumpListContent(ContentGenerator):
    """An AutomaticDestinations Jump List: one shortcut per document and the DestList that orders them."""

    name = "jumplist"

    def generate(self, spec, rng):
        entries = []
        for n, entry in enumerate(spec.get("entries", [])):
            if "target" not in entry and "target_item" not in entry:
                raise ContentError(f"jumplist.entries[{n}]: give target or target_item")
            link = Shortcut(str(entry.get("target", "C:\\")), size=int(entry.get("size", 0)),
                            created=_opt_time(entry.get("created"), f"jumplist.entries[{n}].created"),
                            modified=_opt_time(entry.get("modified"), f"jumplist.entries[{n}].modified"),
                            accessed=_opt_time(entry.get("target_accessed"), f"jumplist.entries[{n}].target_accessed"),
                            drive_type=DRIVE_FIXED, volume_serial=_serial(entry.get("volume_serial", 0)) & 0xFFFFFFFF,
                            volume_label=str(spec.get("volume_label", "")), machine_id=str(spec.get("machine_id", "")))
            entries.append(JumpEntry(link, _time(entry["accessed"], f"jumplist.entries[{n}].accessed"),
                                     int(entry.get("count", 1)), bool(entry.get("pinned", False))))
        if not entries:
            raise ContentError("jumplist: give at least one entry")
        return JumpList(entries).to_bytes()


_DOS_STUB = (bytes.fromhex("0e1fba0e00b409cd21b8014ccd21")
             + b"This program cannot be run in DOS mode.\r\r\n$").ljust(64, b"\0")
_SUBSYSTEMS = {"gui": 2, "console": 3}


class PeContent(ContentGenerator):
    """A minimal PE32+ image (x86-64): DOS header and stub, COFF and optional headers, one .text section."""

    name = "pe"

    def generate(self, spec, rng):
        from forensics_kit.builder.volume import parse_size

        size = -(-parse_size(spec.get("size", "64KiB")) // 0x200) * 0x200
        dll = bool(spec.get("dll", False))
        subsystem = _SUBSYSTEMS.get(str(spec.get("subsystem", "gui")))
        if subsystem is None or size <= 0:
            raise ContentError(f"pe: subsystem {spec.get('subsystem')!r} (known: gui, console) and a size above 0")
        built = int(_time(spec.get("built", "2023-01-01T00:00:00Z"), "pe.built").timestamp())
        dos = bytearray(64)
        struct.pack_into("<2sHHHHHHHHHHHHH", dos, 0, b"MZ", 0x90, 3, 0, 4, 0, 0xFFFF, 0, 0xB8, 0, 0, 0, 0x40, 0)
        struct.pack_into("<I", dos, 0x3C, 0x80)
        coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x8664, 1, built & 0xFFFFFFFF, 0, 0, 0xF0,
                           0x2022 if dll else 0x0022)
        image = 0x1000 + -(-size // 0x1000) * 0x1000
        optional = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", 0x20B, 14, 36, size, 0, 0, 0x1000, 0x1000,
                               0x180000000 if dll else 0x140000000, 0x1000, 0x200, 6, 0, 10, 0, 6, 0, 0, image,
                               0x400, 0, subsystem, 0x4160 if dll else 0xC160, 0x100000, 0x1000, 0x100000,
                               0x1000, 0, 16) + bytes(16 * 8)
        section = struct.pack("<8sIIIIIIHHI", b".text", size, 0x1000, size, 0x400, 0, 0, 0, 0, 0x60000020)
        headers = (bytes(dos) + _DOS_STUB + coff + optional + section).ljust(0x400, b"\0")
        return headers + rng.randbytes(size)


def _target_facts(target, serial: int) -> dict[str, Any]:
    """What a shortcut copies of a planted file: its C:\\ path, size, times (with their fraction), the serial."""
    fraction = target.nanoseconds(100)
    return {"target": _windows_path(target.path), "size": len(target.data), "volume_serial": serial & 0xFFFFFFFF,
            **{k: _at(target.times[k], fraction).isoformat() for k in ("created", "modified", "accessed")
               if k in target.times}}


def _windows_path(path: str) -> str:
    return "C:" + str(PureWindowsPath(path.replace("/", "\\")))


def _at(seconds: float, fraction_ns: int = 0) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC) + timedelta(microseconds=fraction_ns // 1000)


def resolve_volume_references(plants: list, serial: int, formatted: float) -> None:
    """Fill what a Recent shortcut or a prefetch file takes from the volume they are planted on.

    A ``lnk`` whose content has ``target_item: ID`` gets that item's final path (``C:\\...``),
    size and created/modified/accessed times (with the file's sub-second fraction) and the
    volume's serial; a ``prefetch`` with ``volume: this`` the volume's serial and format
    time. Their bytes are made again; other plants are left alone.
    """
    by_id = {p.id: p for p in plants}
    for plant in plants:
        content = plant.spec.get("content") or {}
        kind = content.get("generate")
        if kind == "lnk" and "target_item" in content:
            target = by_id.get(str(content["target_item"]))
            if target is None:
                raise ContentError(f"lnk: target_item {content['target_item']!r} is not an item of this volume")
            spec = {k: v for k, v in content.items() if k != "target_item"} | _target_facts(target, serial)
        elif kind == "jumplist" and any("target_item" in e for e in content.get("entries", [])):
            entries = []
            for entry in content["entries"]:
                if "target_item" not in entry:
                    entries.append(entry)
                    continue
                target = by_id.get(str(entry["target_item"]))
                if target is None:
                    raise ContentError(f"jumplist: target_item {entry['target_item']!r} is not an item of this volume")
                facts = _target_facts(target, serial)
                facts["target_accessed"] = facts.pop("accessed", None)
                entries.append({k: v for k, v in entry.items() if k != "target_item"} | facts)
            spec = {**content, "entries": entries}
        elif kind == "prefetch" and content.get("volume") == "this":
            spec = {**content, "volume_serial": serial, "volume_created": _at(formatted).isoformat()}
        else:
            continue
        plant.data = make_content(spec, plant.rng("content") if plant.rng else None)
