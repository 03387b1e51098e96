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
#: Sticks as their USB descriptors and SCSI INQUIRY data name them: (vendor, product, revision,
#: VID, PID, bcdDevice). USBSTOR's ``Ven_``/``Prod_``/``Rev_`` come from INQUIRY, ``VID_``/``PID_``
#: from the USB descriptor; Phison-based sticks report revision ``PMAP`` and 24-hex-digit serials.
MODELS: dict[str, tuple[str, str, str, int, int, str]] = {
    "Kingston DataTraveler 3.0": ("Kingston", "DataTraveler 3.0", "PMAP", 0x0951, 0x1666, "0110"),
    "Kingston DT 100 G3": ("Kingston", "DT 100 G3", "PMAP", 0x0951, 0x1666, "0110"),
    "TOSHIBA TransMemory": ("TOSHIBA", "TransMemory", "PMAP", 0x0930, 0x6545, "0110"),
    "Verbatim STORE N GO": ("Verbatim", "STORE N GO", "PMAP", 0x18A5, 0x0302, "0100"),
    "SanDisk Cruzer Blade": ("SanDisk", "Cruzer Blade", "1.00", 0x0781, 0x5567, "0100"),
    "SanDisk Ultra": ("SanDisk", "Ultra", "1.00", 0x0781, 0x5581, "0100"),
}
USB_BEFORE_DISK = timedelta(milliseconds=1650)  # the USB device is installed before the disk it carries


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
    usb_revision: str = "0100"

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


def _properties(key, stick: UsbStick, ahead: timedelta = timedelta(0)) -> None:
    times = {"0064": stick.first_connected - ahead, "0065": stick.first_connected - ahead,
             "0066": stick.last_connected - ahead, "0067": stick.last_removed}
    from forensics_kit.builder.windows._common import filetime

    for name, when in times.items():
        if when is not None:
            key.key(f"{DEVICE_PROPERTIES}\\{name}", when).value("", filetime(when), REG_FILETIME_PROPERTY)


def _written(key) -> datetime:
    from datetime import UTC

    return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=key.last_written // 10)


def _touch_parent(hive: Hive, path: str, created: datetime) -> None:
    """A key gets a new subkey at ``created``: its last-written time is at least that."""
    key = hive.key(path)
    key.touch(max(created, _written(key)))


def add_usb_stick(system: Hive, stick: UsbStick, software: Hive | None = None, control_set: int = 1) -> None:
    """Write the stick's keys into SYSTEM (and SOFTWARE when given); key times follow the stick's times."""
    ccs = f"ControlSet{control_set:03d}"
    if not system.root._subkeys.get("SELECT"):
        system.key("Select", stick.first_connected).value("Current", control_set, REG_DWORD).value(
            "Default", control_set, REG_DWORD).value("Failed", 0, REG_DWORD).value("LastKnownGood", control_set,
                                                                                   REG_DWORD)
    friendly = stick.friendly_name or f"{stick.vendor} {stick.product} USB Device"
    _touch_parent(system, f"{ccs}\\Enum\\USBSTOR", stick.first_connected)
    _touch_parent(system, f"{ccs}\\Enum\\USB", stick.first_connected - USB_BEFORE_DISK)
    storage = system.key(f"{ccs}\\Enum\\USBSTOR\\{stick.device}", stick.first_connected)
    device = storage.key(stick.instance, stick.last_connected)
    device.value("DeviceDesc", "@disk.inf,%disk_devdesc%;Disk drive")
    device.value("HardwareID", _hardware_ids(stick), REG_MULTI_SZ)
    device.value("Class", "DiskDrive").value("ClassGUID", "{4d36e967-e325-11ce-bfc1-08002be10318}")
    device.value("Service", "disk").value("FriendlyName", friendly)
    device.key("Device Parameters", stick.first_connected)
    _properties(device, stick)
    usb = system.key(f"{ccs}\\Enum\\USB\\VID_{stick.vid:04X}&PID_{stick.pid:04X}",
                     stick.first_connected - USB_BEFORE_DISK)
    port = usb.key(stick.serial, stick.last_connected - USB_BEFORE_DISK)
    port.value("DeviceDesc", "@usb.inf,%usb.massstoragedevicedesc%;USB Mass Storage Device")
    port.value("Service", "USBSTOR").value("LocationInformation", "Port_#0002.Hub_#0001")
    _properties(port, stick, USB_BEFORE_DISK)
    path = stick.device_path.encode("utf-16-le")
    mounted = system.key("MountedDevices")
    mounted.touch(max(stick.last_connected, _written(mounted)))
    if stick.drive_letter:
        mounted.value(f"\\DosDevices\\{stick.drive_letter.upper()}:", path, REG_BINARY)
    mounted.value(f"\\??\\Volume{stick.volume_guid}", path, REG_BINARY)
    if software is None:
        return
    _touch_parent(software, "Microsoft\\Windows Portable Devices\\Devices", stick.first_connected)
    if stick.volume_serial is not None:
        _touch_parent(software, "Microsoft\\Windows NT\\CurrentVersion\\EMDMgmt", stick.first_connected)
    wpd = (f"WPDBUSENUMROOT#UMB#2&37C186B&0&STORAGE#VOLUME#_??_USBSTOR#{stick.device.upper()}#"
           f"{stick.instance.upper()}#")
    software.key(f"Microsoft\\Windows Portable Devices\\Devices\\{wpd}", stick.first_connected).value(
        "FriendlyName", stick.volume_label or f"{stick.drive_letter}:\\")
    if stick.volume_serial is not None:
        emd = f"{stick.device_path}{stick.volume_label}_{stick.volume_serial}"
        software.key(f"Microsoft\\Windows NT\\CurrentVersion\\EMDMgmt\\{emd}", stick.first_connected).value(
            "DeviceStatus", 2, REG_DWORD).value("CacheSizeInMB", 0, REG_DWORD)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y/%m/%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"


def _clock(when: datetime) -> str:
    return when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"


def _driver_node(lines: list[str], hardware_id: str, inf: str, description: str, section: str, rank: str) -> None:
    lines += ["     dvi:      Created Driver Node:", f"     dvi:           HardwareID   - {hardware_id}",
              f"     dvi:           InfName      - C:\\WINDOWS\\System32\\DriverStore\\FileRepository\\{inf}",
              f"     dvi:           DevDesc      - {description}", f"     dvi:           Section      - {section}",
              f"     dvi:           Rank         - {rank}", "     dvi:           Signer Score - Inbox (0D000003)",
              "     dvi:           DrvDate      - 06/21/2006", "     dvi:           Version      - 10.0.19041.1"]


def _install(device_id: str, start: datetime, hardware: list[str], compatible: list[str], node: tuple) -> str:
    """One "Device Install (Hardware initiated)" section as Windows 10's DrvInst writes it."""
    at = [start + timedelta(milliseconds=ms) for ms in (0, 21, 46, 63, 96, 131, 388, 402, 420)]
    lines = [f">>>  [Device Install (Hardware initiated) - {device_id}]", f">>>  Section start {_stamp(at[0])}",
             f"     ump: Creating Install Process: DrvInst.exe {_clock(at[0])}",
             "     ndv: Retrieving device info...", "     ndv: Setting device parameters...",
             "     ndv: Building driver list...", f"     dvi: {{Build Driver List}} {_clock(at[1])}",
             "     dvi:      Searching for hardware ID(s):", *[f"     dvi:           {h.lower()}" for h in hardware]]
    if compatible:
        lines += ["     dvi:      Searching for compatible ID(s):",
                  *[f"     dvi:           {c.lower()}" for c in compatible]]
    _driver_node(lines, *node)
    inf, description, section = node[1], node[2], node[3]
    repository = "C:\\WINDOWS\\System32\\DriverStore\\FileRepository"
    lines += [
        f"     dvi: {{Build Driver List - exit(0x00000000)}} {_clock(at[2])}",
        "     ndv: Selecting best match from Driver Store (including Device Path)...",
        f"     dvi: {{DIF_SELECTBESTCOMPATDRV}} {_clock(at[3])}",
        f"     dvi:      Default installer: Enter {_clock(at[3])}",
        "     dvi:           {Select Best Driver}",
        "     dvi:                Selected Driver:",
        f"     dvi:                     Description - {description}",
        f"     dvi:                     InfFile     - {repository}\\{inf}",
        f"     dvi:                     Section     - {section}",
        "     dvi:           {Select Best Driver - exit(0x00000000)}",
        f"     dvi:      Default installer: Exit {_clock(at[4])}",
        f"     dvi: {{DIF_SELECTBESTCOMPATDRV - exit(0x00000000)}} {_clock(at[4])}",
        "     ndv: Installing driver...",
        f"     dvi: {{Core Device Install}} {_clock(at[5])}",
        f"     dvi:      Install Device: Configuring device. {_clock(at[5])}",
        f"     dvi:      Install Device: Starting device. {_clock(at[6])}",
        f"     dvi: {{Core Device Install - exit(0x00000000)}} {_clock(at[7])}",
        f"     ump: Server install process exited with code 0x00000000 {_clock(at[8])}",
        f"<<<  Section end {_stamp(at[8])}",
        "<<<  [Exit status: SUCCESS]", "", "",
    ]
    return "\r\n".join(lines)


def setupapi_section(stick: UsbStick, utc_offset: timedelta = timedelta(0)) -> str:
    """The sections Windows writes when the stick is first installed: its USB device, then its disk.

    The clock is local time (``utc_offset`` is local minus UTC); the disk section's start is
    the stick's first connection, the time USBSTOR's ``0064`` property keeps.
    """
    local = stick.first_connected + utc_offset
    usb_id = f"USB\\VID_{stick.vid:04X}&PID_{stick.pid:04X}"
    usb = _install(f"{usb_id}\\{stick.serial}", local - USB_BEFORE_DISK,
                   [f"{usb_id}&REV_{stick.usb_revision}", usb_id],
                   ["USB\\Class_08&SubClass_06&Prot_50", "USB\\Class_08&SubClass_06", "USB\\Class_08"],
                   ("USB\\Class_08&SubClass_06&Prot_50", "usbstor.inf_amd64_a4ee1bbd8e2bd9d4\\usbstor.inf",
                    "USB Mass Storage Device", "USBSTOR_BULK.NT", "0x00ff2000"))
    ids = _hardware_ids(stick)
    disk = _install(f"USBSTOR\\{stick.device}\\{stick.instance}", local, ids[:5], ids[5:],
                    ("GenDisk", "disk.inf_amd64_b6d4a8f6ad7da0b4\\disk.inf", "Disk drive", "disk_install.NT",
                     "0x00ff2002"))
    return usb + disk


def _first_boot_installs(local: datetime) -> str:
    """What the first boot installs before any stick: the laptop's own input device and the PDF printer."""
    mouse = "HID\\VID_046D&PID_C52B&MI_00"
    return (_install(f"{mouse}\\7&2F1C1B5&0&0000", local + timedelta(seconds=41, milliseconds=207),
                     [f"{mouse}&REV_2411", mouse],
                     ["HID_DEVICE_SYSTEM_MOUSE", "HID_DEVICE_UP:0001_U:0002", "HID_DEVICE"],
                     ("HID_DEVICE_SYSTEM_MOUSE", "msmouse.inf_amd64_a3b51c8c2d59a0d6\\msmouse.inf",
                      "HID-compliant mouse", "HID_Mouse_Inst.NT", "0x00ff0001"))
            + _install("SWD\\PRINTENUM\\{0A93F6E2-3C2B-4C8E-9B4D-5E2B7F1A6C11}",
                       local + timedelta(minutes=2, seconds=5, milliseconds=664),
                       ["PRINTENUM\\Microsoft_Print_To_PDF", "Microsoft_Print_To_PDF"], ["PRINTENUM\\PrintQueue"],
                       ("PRINTENUM\\Microsoft_Print_To_PDF", "prnms009.inf_amd64_8bc1bbb4f9a7d8e6\\prnms009.inf",
                        "Microsoft Print To PDF", "MPDW", "0x00ff0000")))


def setupapi_log(sticks: list[UsbStick], utc_offset: timedelta = timedelta(0), boot: datetime | None = None) -> bytes:
    """A whole setupapi.dev.log holding the first-install section of each stick, oldest first."""
    text = "[Device Install Log]\r\n     OS Version = 10.0.19045\r\n     Service Pack = 0.0\r\n     Suite = 0x0100\r\n"
    text += "     ProductType = 1\r\n     Architecture = amd64\r\n\r\n"
    if boot is not None:
        local = boot + utc_offset
        text += f"[Boot Session: {local:%Y/%m/%d %H:%M:%S}.500]\r\n\r\n"
        text += _first_boot_installs(local)
    for stick in sorted(sticks, key=lambda s: s.first_connected):
        text += setupapi_section(stick, utc_offset)
    return text.encode("utf-8")
