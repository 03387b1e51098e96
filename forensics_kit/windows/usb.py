"""USB device history: SYSTEM's USBSTOR, USB and MountedDevices, SOFTWARE's EMDMgmt and setupapi.dev.log, joined.

What an examiner reports for each mass-storage device, as RegRipper's ``usbstor`` and
``mountdev`` plugins and USB-history tools report it:

- device (vendor, product, revision), serial, friendly name (USBSTOR);
- USB vendor/product ids (``Enum\\USB\\VID_..&PID_..\\<serial>``);
- first connected: setupapi.dev.log's first install (local time, converted with the
  hive's ``TimeZoneInformation\\ActiveTimeBias``) or the ``0064`` device property,
  whichever is earlier; last connected: the ``0066`` property, else the device key's
  last-written time; last removed: ``0067``;
- drive letter and volume GUID: the MountedDevices values holding its device path;
- volume serial and label: SOFTWARE ``EMDMgmt`` (``..._<label>_<serial in decimal>``)
  and ``Windows Portable Devices``.

::

    with open_image("laptop.E01") as img:
        for device in usb_history(img):   # hives and setupapi.dev.log found at their usual places
            device.serial, device.first_connected, device.drive_letter, device.volume_serial
"""

from __future__ import annotations

import re
import struct
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from forensics_kit.errors import NotFoundError
from forensics_kit.windows._times import filetime_iso
from forensics_kit.windows.lnk import serial_text
from forensics_kit.windows.registry import Hive, open_hive

SYSTEM_PATH = "/Windows/System32/config/SYSTEM"
SOFTWARE_PATH = "/Windows/System32/config/SOFTWARE"
SETUPAPI_PATH = "/Windows/INF/setupapi.dev.log"
_PROPS = "Properties\\{83da6326-97a6-4088-9453-a1923f573b29}"
_SECTION = re.compile(r">>>\s+\[Device Install \(Hardware initiated\) - (?P<id>[^\]]+)\]\s*\r?\n"
                      r">>>\s+Section start (?P<time>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?)")


@dataclass(frozen=True)
class UsbDevice:
    """One USB mass-storage device as the registry and setupapi log remember it (times UTC)."""

    device: str
    vendor: str
    product: str
    revision: str
    serial: str
    friendly_name: str | None
    vid: str | None
    pid: str | None
    first_connected: str | None
    last_connected: str | None
    last_removed: str | None
    drive_letter: str | None
    volume_guid: str | None
    volume_serial: str | None
    volume_label: str | None
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _property_time(hive: Hive, path: str, number: str) -> str | None:
    data = hive.value_data(f"{path}\\{_PROPS}\\{number}", "")
    if isinstance(data, int):
        return filetime_iso(data)
    if isinstance(data, str) and len(data) == 16:  # REG_BINARY, as some tools write it
        return filetime_iso(struct.unpack("<Q", bytes.fromhex(data))[0])
    return None


def _parse_device(name: str) -> tuple[str, str, str]:
    found = dict(re.findall(r"(Ven|Prod|Rev)_([^&]*)", name, flags=re.IGNORECASE))
    lowered = {k.lower(): v.replace("_", " ").strip() for k, v in found.items()}
    return lowered.get("ven", ""), lowered.get("prod", ""), lowered.get("rev", "")


def time_zone_bias(system: Hive, control_set: str) -> timedelta:
    """UTC minus local time as the system was set (``ActiveTimeBias``, minutes); 0 when absent."""
    bias = system.value_data(f"{control_set}\\Control\\TimeZoneInformation", "ActiveTimeBias", 0)
    if isinstance(bias, int):
        return timedelta(minutes=struct.unpack("<i", struct.pack("<I", bias & 0xFFFFFFFF))[0])
    return timedelta(0)


def setupapi_installs(text: str, bias: timedelta = timedelta(0)) -> dict[str, str]:
    """``{device instance id (upper case): first install time, ISO UTC}`` from setupapi.dev.log."""
    found: dict[str, str] = {}
    for match in _SECTION.finditer(text):
        stamp = match["time"]
        local = datetime.strptime(stamp.split(".")[0], "%Y/%m/%d %H:%M:%S")
        millis = int(stamp.split(".")[1][:3].ljust(3, "0")) if "." in stamp else 0
        when = (local + bias + timedelta(milliseconds=millis)).replace(tzinfo=UTC)
        iso = when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis:03d}".rstrip("0") if millis else "") + "Z"
        key = match["id"].strip().upper()
        if key not in found or iso < found[key]:
            found[key] = iso
    return found


def _earliest(*times: str | None) -> str | None:
    present = [t for t in times if t]
    return min(present, key=lambda t: t.rstrip("Z").ljust(30, "0")) if present else None


def usb_history(source, software=None, setupapi: str | bytes | None = None, *, partition: int | None = None,
                bias: timedelta | None = None) -> list[UsbDevice]:
    """The USB mass-storage devices a Windows system saw, oldest first connection first.

    Args:
        source: the SYSTEM hive (an open :class:`Hive`, bytes, a local file) or an open
            DiskImage: then SYSTEM, SOFTWARE and setupapi.dev.log are read from their
            usual places (``software``/``setupapi`` left None).
        software: the SOFTWARE hive (Hive, bytes, local file), for volume serials and labels.
        setupapi: the text of setupapi.dev.log, for first-install times.
        bias: UTC minus local time for setupapi's times; default from the SYSTEM hive.
    """
    if not isinstance(source, Hive | bytes | bytearray | str) and hasattr(source, "read"):
        image = source
        system = open_hive(image, SYSTEM_PATH, partition=partition)
        try:
            software = open_hive(image, SOFTWARE_PATH, partition=partition)
        except NotFoundError:
            software = None
        try:
            setupapi = image.read(SETUPAPI_PATH, partition=partition)
        except NotFoundError:
            setupapi = None
    else:
        system = source if isinstance(source, Hive) else open_hive(source)
        if software is not None and not isinstance(software, Hive):
            software = open_hive(software)
    current = system.value_data("Select", "Current", 1)
    ccs = f"ControlSet{current:03d}" if isinstance(current, int) else "ControlSet001"
    installs = {}
    if setupapi:
        text = setupapi.decode("utf-8", errors="replace") if isinstance(setupapi, bytes) else setupapi
        installs = setupapi_installs(text, time_zone_bias(system, ccs) if bias is None else bias)
    mounted = _mounted(system)
    usb_ids = _usb_ids(system, ccs)
    volumes = _volumes(software) if software is not None else {}
    devices: list[UsbDevice] = []
    stor = f"{ccs}\\Enum\\USBSTOR"
    if not system.exists(stor):
        return devices
    for kind in system.subkeys(stor):
        vendor, product, revision = _parse_device(kind.name)
        for instance in system.subkeys(kind.path):
            serial = instance.name[:-2] if re.search(r"&\d$", instance.name) else instance.name
            sources: dict[str, str] = {}
            first_prop = _property_time(system, instance.path, "0064")
            setup = installs.get(f"USBSTOR\\{kind.name}\\{instance.name}".upper())
            first = _earliest(setup, first_prop)
            if first:
                sources["first_connected"] = "setupapi.dev.log" if first == setup else "USBSTOR 0064"
            last = _property_time(system, instance.path, "0066")
            sources["last_connected"] = "USBSTOR 0066" if last else "USBSTOR key last written"
            last = last or instance.last_written
            letter, guid = mounted.get(instance.name.upper(), (None, None))
            if letter or guid:
                sources["drive_letter"] = "MountedDevices"
            vid, pid = usb_ids.get(serial.upper(), (None, None))
            vol_serial, label = volumes.get(instance.name.upper(), (None, None))
            if vol_serial:
                sources["volume_serial"] = "EMDMgmt"
            devices.append(UsbDevice(kind.name, vendor, product, revision, serial, instance.get("FriendlyName"),
                                     vid, pid, first, last, _property_time(system, instance.path, "0067"),
                                     letter, guid, vol_serial, label, sources))
    return sorted(devices, key=lambda d: ((d.first_connected or "~").rstrip("Z"), d.serial))


def _mounted(system: Hive) -> dict[str, tuple[str | None, str | None]]:
    """``{instance id upper: (drive letter, volume GUID)}`` from MountedDevices' device paths."""
    out: dict[str, list[str | None]] = {}
    if not system.exists("MountedDevices"):
        return {}
    for value in system.key("MountedDevices").values:
        raw = value.raw
        text = raw.decode("utf-16-le", errors="ignore") if raw[:2] in (b"_\0", b"\\\0") else ""
        match = re.search(r"USBSTOR#[^#]+#([^#]+)#", text, flags=re.IGNORECASE)
        if not match:
            continue
        slot = out.setdefault(match[1].upper(), [None, None])
        letter = re.fullmatch(r"\\DosDevices\\([A-Za-z]):", value.name)
        guid = re.fullmatch(r"\\\?\?\\Volume(\{[0-9a-fA-F-]+\})", value.name)
        if letter:
            slot[0] = letter[1].upper()
        elif guid:
            slot[1] = guid[1].lower()
    return {k: (v[0], v[1]) for k, v in out.items()}


def _usb_ids(system: Hive, ccs: str) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    base = f"{ccs}\\Enum\\USB"
    if not system.exists(base):
        return out
    for kind in system.subkeys(base):
        match = re.match(r"VID_([0-9A-Fa-f]{4})&PID_([0-9A-Fa-f]{4})$", kind.name)
        if match:
            for instance in kind.subkeys:
                out[instance.upper()] = (match[1].upper(), match[2].upper())
    return out


def _volumes(software: Hive) -> dict[str, tuple[str | None, str | None]]:
    """``{instance id upper: (volume serial "1A2B-3C4D", label)}`` from EMDMgmt and Windows Portable Devices."""
    out: dict[str, tuple[str | None, str | None]] = {}
    emd = "Microsoft\\Windows NT\\CurrentVersion\\EMDMgmt"
    if software.exists(emd):
        for name in software.key(emd).subkeys:
            match = re.search(r"USBSTOR#[^#]+#([^#]+)#\{[^}]+\}(.*)_(\d+)$", name, flags=re.IGNORECASE)
            if match:
                out[match[1].upper()] = (serial_text(int(match[3]) & 0xFFFFFFFF), match[2] or None)
    wpd = "Microsoft\\Windows Portable Devices\\Devices"
    if software.exists(wpd):
        for key in software.subkeys(wpd):
            match = re.search(r"USBSTOR#[^#]+#([^#]+)#", key.name, flags=re.IGNORECASE)
            if match:
                serial, label = out.get(match[1].upper(), (None, None))
                out[match[1].upper()] = (serial, label or key.get("FriendlyName"))
    return out
