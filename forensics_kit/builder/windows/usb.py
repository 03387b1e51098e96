"""A USB stick's traces in SYSTEM, SOFTWARE and setupapi.dev.log, written together so they agree.

What Windows 10 leaves when a mass-storage stick is plugged in (the keys RegRipper's
``usbstor``, ``usbdevices``, ``mountdev``, ``port_dev`` and ``emdmgmt`` plugins and
USB-history tools read):

- ``SYSTEM\\ControlSet00N\\Enum\\USBSTOR\\Disk&Ven_..&Prod_..&Rev_..\\<serial>&0``: FriendlyName,
  device properties ``{83da6326-97a6-4088-9453-a1923f573b29}\\0064`` (first install),
  ``0065`` (install), ``0066`` (last arrival), ``0067`` (last removal) as FILETIMEs;
- ``Enum\\USB\\VID_xxxx&PID_yyyy\\<serial>``: the USB vendor and product ids;
- ``MountedDevices``: ``\\DosDevices\\E:`` and ``\\??\\Volume{GUID}`` holding the device path;
- ``SOFTWARE\\Microsoft\\Windows Portable Devices\\Devices`` (volume label) and
  ``Windows NT\\CurrentVersion\\EMDMgmt`` (label and volume serial in decimal);
- setupapi.dev.log's "Device Install" section with the first install time (local time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from forensics_kit.builder.windows.regf import REG_BINARY, REG_DWORD, REG_FILETIME_PROPERTY, REG_MULTI_SZ, Hive

DEVICE_PROPERTIES = "Properties\\{83da6326-97a6-4088-9453-a1923f573b29}"
DISK_INTERFACE = "{53f56307-b6bf-11d0-94f2-00a0c91efb8b}"


@dataclass
class UsbStick:
    """One mass-storage device and when it was seen; times are UTC (aware datetimes)."""

    vendor: str
    product: str
    serial: str
    vid: int
    pid: int
    first_connected: datetime
    last_connected: datetime
    last_removed: datetime | None = None
    revision: str = "1.00"
    drive_letter: str | None = "E"
    volume_guid: str = "{6c1bc5a2-8f3e-11ee-b9d1-0800272f0001}"
    volume_serial: int | None = None
    volume_label: str = ""
    friendly_name: str | None = None

    @property
    def device(self) -> str:
        """``Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00`` (spaces become underscores, as Windows writes them)."""
        def part(text: str) -> str:
            return text.replace(" ", "_")
        return f"Disk&Ven_{part(self.vendor)}&Prod_{part(self.product)}&Rev_{part(self.revision)}"

    @property
    def instance(self) -> str:
        return f"{self.serial}&0"

    @property
    def device_path(self) -> str:
        """``_??_USBSTOR#Disk&Ven_..#<serial>&0#{53f56307-...}``, the string MountedDevices stores."""
        return f"_??_USBSTOR#{self.device}#{self.instance}#{DISK_INTERFACE}"


def _hardware_ids(stick: UsbStick) -> list[str]:
    """USBSTOR hardware ids as the storage stack makes them: vendor in 8, product in 16, revision in 4 columns."""
    def pad(text: str, width: int) -> str:
        return text[:width].ljust(width).replace(" ", "_")
    ven, prod, rev = pad(stick.vendor, 8), pad(stick.product, 16), pad(stick.revision, 4)
    return [f"USBSTOR\\Disk{ven}{prod}{rev}", f"USBSTOR\\Disk{ven}{prod}", f"USBSTOR\\Disk{ven}",
            f"USBSTOR\\{ven}{prod}{rev[0]}", f"{ven}{prod}{rev[0]}", "USBSTOR\\GenDisk", "GenDisk"]


def _properties(key, stick: UsbStick) -> None:
    times = {"0064": stick.first_connected, "0065": stick.first_connected, "0066": stick.last_connected,
             "0067": stick.last_removed}
    from forensics_kit.builder.windows._common import filetime

    for name, when in times.items():
        if when is not None:
            key.key(f"{DEVICE_PROPERTIES}\\{name}", when).value("", filetime(when), REG_FILETIME_PROPERTY)


def add_usb_stick(system: Hive, stick: UsbStick, software: Hive | None = None, control_set: int = 1) -> None:
    """Write the stick's keys into SYSTEM (and SOFTWARE when given); key times follow the stick's times."""
    ccs = f"ControlSet{control_set:03d}"
    if not system.root._subkeys.get("SELECT"):
        system.key("Select", stick.first_connected).value("Current", control_set, REG_DWORD).value(
            "Default", control_set, REG_DWORD).value("Failed", 0, REG_DWORD).value("LastKnownGood", control_set,
                                                                                   REG_DWORD)
    friendly = stick.friendly_name or f"{stick.vendor} {stick.product} USB Device"
    storage = system.key(f"{ccs}\\Enum\\USBSTOR\\{stick.device}", stick.first_connected)
    device = storage.key(stick.instance, stick.last_connected)
    device.value("DeviceDesc", "@disk.inf,%disk_devdesc%;Disk drive")
    device.value("HardwareID", _hardware_ids(stick), REG_MULTI_SZ)
    device.value("Class", "DiskDrive").value("ClassGUID", "{4d36e967-e325-11ce-bfc1-08002be10318}")
    device.value("Service", "disk").value("FriendlyName", friendly)
    device.key("Device Parameters", stick.first_connected)
    _properties(device, stick)
    usb = system.key(f"{ccs}\\Enum\\USB\\VID_{stick.vid:04X}&PID_{stick.pid:04X}", stick.first_connected)
    port = usb.key(stick.serial, stick.last_connected)
    port.value("DeviceDesc", "@usb.inf,%usb.massstoragedevicedesc%;USB Mass Storage Device")
    port.value("Service", "USBSTOR").value("LocationInformation", "Port_#0002.Hub_#0001")
    _properties(port, stick)
    path = stick.device_path.encode("utf-16-le")
    mounted = system.key("MountedDevices", stick.last_connected)
    if stick.drive_letter:
        mounted.value(f"\\DosDevices\\{stick.drive_letter.upper()}:", path, REG_BINARY)
    mounted.value(f"\\??\\Volume{stick.volume_guid}", path, REG_BINARY)
    if software is None:
        return
    wpd = (f"WPDBUSENUMROOT#UMB#2&37C186B&0&STORAGE#VOLUME#_??_USBSTOR#{stick.device.upper()}#"
           f"{stick.instance.upper()}#")
    software.key(f"Microsoft\\Windows Portable Devices\\Devices\\{wpd}", stick.first_connected).value(
        "FriendlyName", stick.volume_label or f"{stick.drive_letter}:\\")
    if stick.volume_serial is not None:
        emd = f"{stick.device_path}{stick.volume_label}_{stick.volume_serial}"
        software.key(f"Microsoft\\Windows NT\\CurrentVersion\\EMDMgmt\\{emd}", stick.first_connected).value(
            "DeviceStatus", 2, REG_DWORD).value("CacheSizeInMB", 0, REG_DWORD)


def setupapi_section(stick: UsbStick, utc_offset: timedelta = timedelta(0)) -> str:
    """The setupapi.dev.log section Windows writes when the stick is first installed (its clock is local time)."""
    local = stick.first_connected + utc_offset
    stamp = local.strftime("%Y/%m/%d %H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    end = local + timedelta(seconds=2)
    end_stamp = end.strftime("%Y/%m/%d %H:%M:%S.") + f"{end.microsecond // 1000:03d}"
    return (f">>>  [Device Install (Hardware initiated) - USBSTOR\\{stick.device}\\{stick.instance}]\r\n"
            f">>>  Section start {stamp}\r\n"
            f"     ump: Creating Install Process: DrvInst.exe {stamp[11:19]}\r\n"
            f"     ndv: Retrieving device info...\r\n"
            f"     dvi: Selected Driver:\r\n"
            f"     dvi:      Description - [Disk drive]\r\n"
            f"<<<  Section end {end_stamp}\r\n"
            f"<<<  [Exit status: SUCCESS]\r\n\r\n")


def setupapi_log(sticks: list[UsbStick], utc_offset: timedelta = timedelta(0), boot: datetime | None = None) -> bytes:
    """A whole setupapi.dev.log holding the first-install section of each stick, oldest first."""
    text = "[Device Install Log]\r\n     OS Version = 10.0.19045\r\n     Service Pack = 0.0\r\n     Suite = 0x0100\r\n"
    text += "     ProductType = 1\r\n     Architecture = amd64\r\n\r\n"
    if boot is not None:
        local = boot + utc_offset
        text += f"[Boot Session: {local:%Y/%m/%d %H:%M:%S}.500]\r\n\r\n"
    for stick in sorted(sticks, key=lambda s: s.first_connected):
        text += setupapi_section(stick, utc_offset)
    return text.encode("utf-8")
