"""Windows system artefacts as recipe items: event logs and registry hives planted in an NTFS volume.

Each generator builds its file with the byte-real writers of
:mod:`forensics_kit.builder.windows` (a :class:`~forensics_kit.builder.windows.WindowsVolume`
for the hives), so a recipe plants ``/Windows/System32/config/SYSTEM`` or
``.../winevt/Logs/Security.evtx`` as an ordinary item whose NTFS ``times`` come from the
recipe's timeline. Every time inside the artefact (event times, key last-written times)
comes from the same parameters, so the file's modification time can be checked against the
newest time it holds (audit rule ``windows-artefact-times``).

``evtx``::

    content:
      generate: evtx
      computer: SRV01
      events:
        - {id: 4625, time: "{{ t_brute }}", count: 40, interval: 3,
           cycle: {TargetUserName: [administrator, admin]}, data: {IpAddress: 203.0.113.9, LogonType: 10}}
        - {id: 7045, time: "{{ t_service }}", data: {ServiceName: upd, ImagePath: "C:\\\\x.exe"}}

``count`` repeats an event every ``interval`` seconds (seeded jitter up to half of it,
as a guessing tool's pace varies), from ``time`` on, or ending one interval before
``until`` (the successful logon that stopped the run); ``cycle`` walks data values through a list. Data
values that look like SIDs (``S-1-...``) are written as SIDs, ``{...}`` in a ``...Guid`` field as
GUIDs, ``0x...`` as hex integers.

``registry_hive``: ``hive`` is ``system``, ``software`` or ``sam`` of one computer
(``computer``, ``installed``, ``time_zone: {name, bias}``) with ``services``, ``run``
(SOFTWARE's Run key) and ``accounts`` (SAM) added at their times. ``usb`` lists the USB
sticks the computer saw (``model`` from :data:`~forensics_kit.builder.windows.usb.MODELS` or
``vendor``/``product``/``revision``/``vid``/``pid``, ``serial``, ``first_connected``,
``last_connected``, ``last_removed``, ``drive_letter``, ``volume_serial`` as ``fsstat`` prints
it, ``volume_label``): SYSTEM gets USBSTOR, USB and MountedDevices, SOFTWARE Windows Portable
Devices and EMDMgmt. ``hive: ntuser`` is one user's NTUSER.DAT (``user``, ``sid``) with
``recent_docs`` (``{name, time}``, oldest first) and MountPoints2 for each ``usb`` stick's
volume; ``hive: usrclass`` is the user's UsrClass.dat with ``shellbags`` (``{folder, time}``,
the folders browsed in Explorer). Write the ``usb`` list once (a YAML anchor, ``&sticks``) and
give the same list (``*sticks``) to SYSTEM, SOFTWARE, NTUSER and ``setupapi_log``: every
artefact then derives the same volume GUID and the same sub-second times from it.

``setupapi_log``: ``C:\\Windows\\INF\\setupapi.dev.log`` with each ``usb`` stick's first
install (its USB device, then its disk), in the local time of ``time_zone``.

``lnk``: a shortcut as Explorer writes it in Recent, with the target's path, size and
times (which the recipe takes from the target item's own ``times``, so the audit can
check them), the target volume's serial, label and drive type (``fixed``/``removable``)
and the machine that made it. ``target_clock: Europe/Moscow`` says the target lies on a FAT volume
written on that clock: its times are then the ones Windows reads there (creation to 10 ms,
modification to 2 s, access the local day's midnight). ``recycle_info``: a Recycle Bin ``$I`` record (original
path, size, deletion time); the ``$R`` file beside it is an ordinary item with the content.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from forensics_kit.builder.content import ContentError, ContentGenerator
from forensics_kit.builder.windows import (
    DRIVE_FIXED,
    DRIVE_REMOVABLE,
    EventLog,
    Guid,
    Hex,
    Shortcut,
    Sid,
    WindowsVolume,
    security_event,
    system_event,
)
from forensics_kit.builder.windows.accounts import (
    ACB_DISABLED,
    ACB_NORMAL,
    recent_doc,
    run_key,
    sam_account,
    sam_user,
    service,
)
from forensics_kit.builder.windows.recycle import info_record
from forensics_kit.builder.windows.shellbags import browse
from forensics_kit.builder.windows.usb import MODELS, UsbStick, add_usb_stick, setupapi_log
from forensics_kit.timefmt import parse_iso

_HEX32 = frozenset({"Status", "SubStatus"})  # NTSTATUS codes are HexInt32 in the Security manifest
SYSTEM_EVENTS = frozenset({104, 6005, 6006, 6008, 6009, 6013, 7036, 7040, 7045})


def _time(value: Any, what: str) -> datetime:
    try:
        return parse_iso(str(value))
    except ValueError:
        raise ContentError(f"{what}: bad time {value!r} (use e.g. 2024-05-14T09:30:00Z)") from None


def _typed(name: str, value: Any) -> Any:
    """A recipe data value as the event writer types it (SID, hex, integer or text)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value)
    if text.startswith("S-1-") and (name.endswith("Sid") or name.endswith("SID")):
        return Sid(text)
    if name.endswith("Guid") and text.startswith("{") and text.endswith("}"):
        return Guid(text)
    if text.lower().startswith("0x") and len(text) > 2:
        try:
            return Hex(int(text, 16), 32 if name in _HEX32 else 64)
        except ValueError:
            return text
    return text


def expand_events(spec: dict[str, Any], rng: random.Random) -> list[tuple[int, datetime, dict[str, Any]]]:
    """The recipe's events, repeats unrolled, as ``(event id, time, data)`` in time order."""
    out = []
    for n, entry in enumerate(spec.get("events", [])):
        count, interval = int(entry.get("count", 1)), float(entry.get("interval", 2))
        steps = [timedelta(seconds=interval * (0.5 + rng.random())) for _ in range(count - 1)]
        if "until" in entry:  # the run stops ``interval`` before ``until`` (the logon it ended with)
            when = _time(entry["until"], f"events[{n}].until") - timedelta(seconds=interval) - sum(steps, timedelta())
        else:
            when = _time(entry.get("time"), f"events[{n}].time")
        cycle = entry.get("cycle", {})
        for i in range(count):
            data = {k: v for k, v in entry.get("data", {}).items()}
            for key, values in cycle.items():
                data[key] = values[i % len(values)]
            out.append((int(entry["id"]), when, data))
            if i < count - 1:
                when += steps[i]
    out.sort(key=lambda e: e[1])
    return out


class EvtxContent(ContentGenerator):
    """A Windows XML event log (Security, System...) with the recipe's events, record ids in time order."""

    name = "evtx"

    def generate(self, spec, rng):
        log = EventLog(int(spec.get("first_record_id", 1)))
        computer = str(spec["computer"])
        for event_id, when, data in expand_events(spec, rng):
            typed = {k: _typed(k, v) for k, v in data.items()}
            if event_id in SYSTEM_EVENTS:
                log.add(system_event(event_id, when, computer, typed))
            else:
                log.add(security_event(event_id, when, computer, typed))
        if not log.events:
            raise ContentError("evtx: give at least one event")
        return log.to_bytes()


def _fraction(serial: str, purpose: str) -> timedelta:
    """Milliseconds fixed by the stick and the event, so every artefact of one stick has the same time."""
    digest = hashlib.sha256(f"{serial}/{purpose}".encode()).digest()
    return timedelta(milliseconds=int.from_bytes(digest[:4], "little") % 1000)


def volume_guid(serial: str) -> str:
    """The volume GUID Windows gave the stick's volume: a version-1 GUID fixed by the device serial."""
    raw = bytearray(hashlib.sha256(f"{serial}/volume".encode()).digest()[:16])
    raw[6] = 0x10 | raw[6] & 0x0F
    raw[8] = 0x80 | raw[8] & 0x3F
    return "{" + str(uuid.UUID(bytes=bytes(raw))) + "}"


def _volume_serial(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().replace("-", "")
    try:
        return int(text[2:] if text.lower().startswith("0x") else text, 16)
    except ValueError:
        raise ContentError(f"{what}: bad volume serial {value!r} (use e.g. 3A7C-91F0)") from None


def usb_sticks(spec: dict[str, Any]) -> list[UsbStick]:
    """The spec's ``usb`` list as sticks, oldest first connection first, times with their milliseconds."""
    sticks = []
    for n, entry in enumerate(spec.get("usb", [])):
        item = f"usb[{n}]"
        if "model" in entry:
            if entry["model"] not in MODELS:
                raise ContentError(f"{item}: unknown model {entry['model']!r} (known: {', '.join(sorted(MODELS))})")
            vendor, product, revision, vid, pid, bcd = MODELS[entry["model"]]
        else:
            try:
                vendor, product = str(entry["vendor"]), str(entry["product"])
                vid, pid = (int(str(entry[k]), 16) for k in ("vid", "pid"))
            except (KeyError, ValueError):
                raise ContentError(f"{item}: give a model, or vendor, product, vid and pid (hex)") from None
            revision, bcd = str(entry.get("revision", "1.00")), "0100"
        serial = str(entry["serial"])
        times = {k: _time(entry[k], f"{item}.{k}") + _fraction(serial, k) if entry.get(k) else None
                 for k in ("first_connected", "last_connected", "last_removed")}
        if times["first_connected"] is None:
            raise ContentError(f"{item}: first_connected is needed")
        first = times["first_connected"]
        last = times["last_connected"] or first
        if last < first or (times["last_removed"] and times["last_removed"] < last):
            raise ContentError(f"{item}: give first_connected <= last_connected <= last_removed")
        sticks.append(UsbStick(vendor, product, serial, vid, pid, first, last, times["last_removed"],
                               revision=revision, drive_letter=entry.get("drive_letter", "E") or None,
                               volume_guid=str(entry.get("volume_guid") or volume_guid(serial)),
                               volume_serial=_volume_serial(entry.get("volume_serial"), f"{item}.volume_serial"),
                               volume_label=str(entry.get("volume_label", "")), usb_revision=bcd))
    return sorted(sticks, key=lambda s: s.first_connected)


def windows_volume(spec: dict[str, Any]) -> WindowsVolume:
    """The computer a hive spec describes, with its services, Run entries and SAM accounts."""
    zone = spec.get("time_zone", {"name": "UTC", "bias": 0})
    installed = _time(spec["installed"], "installed")
    vol = WindowsVolume(str(spec["computer"]), installed, (str(zone["name"]), int(zone["bias"])),
                        product=str(spec.get("product", "Windows 10 Pro")), build=str(spec.get("build", "19045")))
    for n, entry in enumerate(spec.get("services", [])):
        service(vol.system, str(entry["name"]), str(entry["image_path"]), _time(entry["time"], f"services[{n}].time"),
                start=int(entry.get("start", 2)), account=str(entry.get("account", "LocalSystem")),
                display_name=entry.get("display_name"))
    for n, entry in enumerate(spec.get("run", [])):
        run_key(vol.software, str(entry["name"]), str(entry["command"]), _time(entry["time"], f"run[{n}].time"),
                machine=True)
    if spec.get("machine_sid"):
        sam_account(vol.sam, str(spec["machine_sid"]), installed)
    for n, entry in enumerate(spec.get("accounts", [])):
        times = {k: _time(entry[k], f"accounts[{n}].{k}") if entry.get(k) else None
                 for k in ("created", "last_logon", "last_failure", "password_set")}
        sam_user(vol.sam, str(entry["name"]), int(entry["rid"]), times["created"] or installed,
                 full_name=str(entry.get("full_name", "")), comment=str(entry.get("comment", "")),
                 last_logon=times["last_logon"], last_failure=times["last_failure"],
                 password_set=times["password_set"], logon_count=int(entry.get("logon_count", 0)),
                 failed_count=int(entry.get("failed_count", 0)), admin=bool(entry.get("admin", False)),
                 flags=ACB_NORMAL | (ACB_DISABLED if entry.get("disabled") else 0))
    for stick in sorted(usb_sticks(spec), key=lambda s: s.last_connected):  # a letter names its last volume
        add_usb_stick(vol.system, stick, vol.software)
    return vol


def _written(filetime_value: int) -> datetime:
    return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=filetime_value // 10)


_EXPLORER = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer"


def user_hive(spec: dict[str, Any], vol: WindowsVolume) -> Any:
    """NTUSER.DAT (RecentDocs, MountPoints2) or UsrClass.dat (ShellBags) of the spec's ``user``."""
    user = str(spec.get("user") or "")
    if not user:
        raise ContentError(f"registry_hive: hive {spec['hive']} needs user (and sid)")
    ntuser = vol.add_user(user, str(spec.get("sid", "S-1-5-21-0-0-0-1001")))
    if str(spec["hive"]).lower() == "usrclass":
        usrclass = vol.usrclass[user]
        for n, entry in enumerate(spec.get("shellbags", [])):
            modified = _time(entry["modified"], f"shellbags[{n}].modified") if entry.get("modified") else None
            browse(usrclass, str(entry["folder"]), _time(entry["time"], f"shellbags[{n}].time"), modified)
        return usrclass
    for n, entry in enumerate(spec.get("recent_docs", [])):
        recent_doc(ntuser, str(entry["name"]), _time(entry["time"], f"recent_docs[{n}].time"))
    for stick in usb_sticks(spec):
        ntuser.key(f"{_EXPLORER}\\MountPoints2\\{stick.volume_guid}", stick.last_connected).key(
            "Shell", stick.first_connected)
        points = ntuser.key(f"{_EXPLORER}\\MountPoints2")
        points.touch(max(stick.first_connected, _written(points.last_written)))
    return ntuser


class RegistryHiveContent(ContentGenerator):
    """One registry hive (SYSTEM, SOFTWARE or SAM) of the computer the spec describes."""

    name = "registry_hive"

    def generate(self, spec, rng):
        kind = str(spec["hive"]).lower()
        if kind in ("ntuser", "usrclass"):
            return user_hive(spec, windows_volume({**spec, "usb": []})).to_bytes()
        vol = windows_volume(spec)
        hive = {"system": vol.system, "software": vol.software, "sam": vol.sam}.get(kind)
        if hive is None:
            raise ContentError(f"registry_hive: unknown hive {spec['hive']!r} "
                               "(known: ntuser, sam, software, system, usrclass)")
        return hive.to_bytes()


class SetupapiLogContent(ContentGenerator):
    """``setupapi.dev.log``: the first install of each ``usb`` stick, in the computer's local time."""

    name = "setupapi_log"

    def generate(self, spec, rng):
        sticks = usb_sticks(spec)
        if not sticks:
            raise ContentError("setupapi_log: give the usb sticks it installed")
        bias = int(spec.get("time_zone", {"bias": 0})["bias"])
        boot = _time(spec["boot"], "setupapi_log.boot") if spec.get("boot") else None
        return setupapi_log(sticks, -timedelta(minutes=bias), boot)


_DRIVES = {"fixed": DRIVE_FIXED, "removable": DRIVE_REMOVABLE}


def _fat_times(times: dict[str, datetime | None], zone: str) -> dict[str, datetime | None]:
    """The target's times as Windows reads them from FAT written on a clock in ``zone``: creation to
    10 ms, modification to 2 s, last access the local day's midnight (FAT keeps only the date)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        clock = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContentError(f"lnk: unknown target_clock {zone!r} (use an IANA name, e.g. Europe/Moscow)") from None
    out: dict[str, datetime | None] = {}
    for key, when in times.items():
        if when is None:
            out[key] = None
            continue
        local = when.astimezone(clock)
        if key == "created":
            local = local.replace(microsecond=local.microsecond // 10000 * 10000)
        elif key == "modified":
            local = local.replace(second=local.second // 2 * 2, microsecond=0)
        else:
            local = local.replace(hour=0, minute=0, second=0, microsecond=0)
        out[key] = local.astimezone(UTC)
    return out


class LnkContent(ContentGenerator):
    """A shortcut (.lnk) to ``target`` carrying the target's size and times and its volume's serial."""

    name = "lnk"

    def generate(self, spec, rng):
        drive = str(spec.get("drive_type", "fixed"))
        if drive not in _DRIVES:
            raise ContentError(f"lnk: drive_type {drive!r} (known: {', '.join(_DRIVES)})")
        serial = spec.get("volume_serial", 0)
        serial = int(str(serial).replace("-", ""), 16) if isinstance(serial, str) else int(serial)
        times = {k: _time(spec[k], f"lnk.{k}") if spec.get(k) else None for k in ("created", "modified", "accessed")}
        if "target" not in spec and "target_item" not in spec:
            raise ContentError("lnk: give target (a Windows path) or target_item (an item of the same volume)")
        target = str(spec.get("target", "C:\\"))  # a target_item's path is filled when the volume is planned
        if spec.get("target_clock"):
            times = _fat_times(times, str(spec["target_clock"]))
        return Shortcut(target, size=int(spec.get("size", 0)), drive_type=_DRIVES[drive],
                        volume_serial=serial, volume_label=str(spec.get("volume_label", "")),
                        machine_id=str(spec.get("machine_id", "")), **times).to_bytes()


class RecycleInfoContent(ContentGenerator):
    """A Recycle Bin ``$I`` record: original path, size and deletion time (Windows 10, version 2)."""

    name = "recycle_info"

    def generate(self, spec, rng):
        deleted = _time(spec["deleted"], "recycle_info.deleted")
        return info_record(str(spec["original_path"]), int(spec["size"]), deleted, int(spec.get("version", 2)))
