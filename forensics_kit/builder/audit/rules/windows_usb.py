"""A USB stick's traces on a Windows volume agree with each other and with the stick's own image.

- setupapi.dev.log's install section of a USBSTOR device (local time, converted with the
  SYSTEM hive's ActiveTimeBias) is the device's first install, USBSTOR's ``0064``; first
  install, last arrival (``0066``) and last removal (``0067``) come in that order.
- A device that SOFTWARE's EMDMgmt knows by volume serial has its USBSTOR key and its volume
  in MountedDevices; a stick image of the case with that volume serial has the same label; a
  volume GUID in a user's MountPoints2 is one MountedDevices knows.
- A shortcut to a removable drive names a volume serial some USB device of the same system had
  (EMDMgmt), and it was made and last written while that device could be connected: not before
  its first connection, not after its last removal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from forensics_kit.builder.audit.rule import AuditRule

_SLACK = 2.0  # seconds: setupapi writes milliseconds, a key a moment later; FAT keeps 2 s


def _seconds(iso: str) -> float:
    from forensics_kit.timefmt import parse_iso

    return parse_iso(iso).timestamp()


def _windows_volumes(case, entry: dict[str, Any]) -> Iterator[tuple[Any, int | None, Any]]:
    """``(open image, partition, USB history)`` of each volume holding a SYSTEM hive with USBSTOR keys."""
    from forensics_kit.disk import open_image
    from forensics_kit.errors import ForensicsKitError
    from forensics_kit.windows import usb_history

    try:
        with open_image(case.artefact(entry["id"])) as image:
            for fs in image.filesystems():
                try:
                    devices = usb_history(image, partition=fs.partition)
                except (ForensicsKitError, OSError, ValueError):
                    continue  # no SYSTEM hive here, or windows-artefact-times names it unreadable
                if devices:
                    yield image, fs.partition, devices
    except (ForensicsKitError, OSError, ValueError):
        return


class UsbSetupapiTimes(AuditRule):
    """setupapi.dev.log's first install of each USB disk is USBSTOR's first install; 0064 <= 0066 <= 0067."""

    name = "windows-usb-setupapi"
    title = {"en": "setupapi.dev.log's first install of a USB disk equals USBSTOR's, and its times come in order",
             "ru": "первая установка USB-диска в setupapi.dev.log совпадает с USBSTOR, а его времена идут по порядку"}
    messages = {
        "missing": {"en": "{device} {serial}: setupapi.dev.log has no install section for it",
                    "ru": "{device} {serial}: в setupapi.dev.log нет раздела его установки"},
        "differs": {"en": "{device} {serial}: setupapi.dev.log installs it at {setupapi}, USBSTOR 0064 says {prop}",
                    "ru": "{device} {serial}: по setupapi.dev.log установлен в {setupapi}, а по USBSTOR 0064 — {prop}"},
        "order": {"en": "{device} {serial}: {earlier} {first} is after {later} {second}",
                  "ru": "{device} {serial}: {earlier} {first} позже, чем {later} {second}"},
    }

    def check(self, case):
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.windows import open_hive, setupapi_installs
        from forensics_kit.windows.usb import SETUPAPI_PATH, SYSTEM_PATH, time_zone_bias

        for entry in case.entries("disk"):
            for image, partition, devices in _windows_volumes(case, entry):
                try:
                    text = image.read(SETUPAPI_PATH, partition=partition).decode("utf-8", "replace")
                    with open_hive(image, SYSTEM_PATH, partition=partition) as system:
                        current = system.value_data("Select", "Current", 1)
                        ccs = f"ControlSet{current:03d}"
                        installs = setupapi_installs(text, time_zone_bias(system, ccs))
                        props = {d.serial: self._property(system, ccs, d) for d in devices}
                except (ForensicsKitError, OSError, ValueError):
                    continue  # no setupapi.dev.log on this volume: nothing to compare
                for device in devices:
                    yield from self._device(case, entry["id"], device, installs, props[device.serial])

    @staticmethod
    def _property(system, ccs: str, device) -> str | None:
        from forensics_kit.windows.usb import _property_time

        return _property_time(system, f"{ccs}\\Enum\\USBSTOR\\{device.device}\\{device.serial}&0", "0064")

    def _device(self, case, evidence: str, device, installs: dict[str, str], prop: str | None):
        key = f"USBSTOR\\{device.device}\\{device.serial}&0"
        names = {"device": device.device, "serial": device.serial}
        setup = installs.get(key.upper())
        if setup is None:
            yield self.finding(case, evidence, key, "missing", **names)
        elif prop and abs(_seconds(setup) - _seconds(prop)) > _SLACK:
            yield self.finding(case, evidence, key, "differs", setupapi=setup, prop=prop, **names)
        steps = [("first install", prop or setup), ("last arrival", device.last_connected),
                 ("last removal", device.last_removed)]
        known = [(label, t) for label, t in steps if t]
        for (label_a, a), (label_b, b) in zip(known, known[1:], strict=False):
            if _seconds(a) > _seconds(b) + _SLACK:
                yield self.finding(case, evidence, key, "order", earlier=label_a, first=a, later=label_b,
                                   second=b, **names)


class UsbVolumeSerials(AuditRule):
    """Volume serials tie shortcuts, EMDMgmt, MountedDevices and the stick's image together."""

    name = "windows-usb-volume"
    title = {"en": "USB volume serials agree: shortcuts to removable drives, EMDMgmt, MountedDevices, "
                   "the stick's image",
             "ru": "серийные номера томов USB согласованы: ярлыки на съёмные диски, EMDMgmt, MountedDevices, "
                   "образ накопителя"}
    messages = {
        "unmounted": {"en": "{device} {serial} (volume {volume}) has no volume in MountedDevices",
                      "ru": "у {device} {serial} (том {volume}) нет тома в MountedDevices"},
        "label": {"en": "EMDMgmt names volume {volume} '{label}', the image {image} labels it '{image_label}'",
                  "ru": "в EMDMgmt том {volume} назван '{label}', а в образе {image} у него метка '{image_label}'"},
        "stranger": {"en": "{lnk} points to {target} on removable volume {volume}, which no USB device of this "
                           "system had (EMDMgmt)",
                     "ru": "{lnk} указывает на {target} на съёмном томе {volume}, которого не было ни у одного "
                           "USB-устройства этой системы (EMDMgmt)"},
        "outside": {"en": "{lnk} was {what} at {time}, {when} {device} {serial} ({volume}) was {edge} at {edge_time}",
                    "ru": "{lnk} {what_ru} в {time}, а {device} {serial} ({volume}) {edge_ru} в {edge_time}"},
        "mount_point": {"en": "{hive} has MountPoints2\\{guid}, a volume MountedDevices does not know",
                        "ru": "в {hive} есть MountPoints2\\{guid} — том, которого нет в MountedDevices"},
    }

    def check(self, case):
        from forensics_kit.disk import open_image
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.windows.volume_serial import volume_serials

        images: dict[str, tuple[str, str | None]] = {}  # volume serial -> (evidence, label) of a case image
        for entry in case.entries("disk"):
            try:
                with open_image(case.artefact(entry["id"])) as image:
                    labels = {fs.partition: fs.label for fs in image.filesystems()}
                    for partition, serial in volume_serials(image).items():
                        images[serial] = (entry["id"], labels.get(partition))
            except (ForensicsKitError, OSError, ValueError):
                continue
        for entry in case.entries("disk"):
            for image, partition, devices in _windows_volumes(case, entry):
                by_volume = {d.volume_serial: d for d in devices if d.volume_serial}
                for device in by_volume.values():
                    yield from self._device(case, entry["id"], device, images)
                yield from self._shortcuts(case, entry["id"], image, partition, by_volume)
                yield from self._mount_points(case, entry["id"], image, partition)

    def _device(self, case, evidence: str, device, images: dict[str, tuple[str, str | None]]):
        entry = f"EMDMgmt {device.device} {device.serial}"
        if not device.volume_guid:
            yield self.finding(case, evidence, entry, "unmounted", device=device.device, serial=device.serial,
                               volume=device.volume_serial)
        held = images.get(device.volume_serial)
        label = (device.volume_label or "").strip()
        if held and label and not label.endswith(":\\") and (held[1] or "") != label:
            yield self.finding(case, evidence, entry, "label", volume=device.volume_serial, label=label,
                               image=held[0], image_label=held[1] or "")

    def _mount_points(self, case, evidence: str, image, partition: int | None):
        """Each user's MountPoints2 volume GUID is a volume of SYSTEM's MountedDevices."""
        import re

        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.windows import open_hive
        from forensics_kit.windows.usb import SYSTEM_PATH

        explorer = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\MountPoints2"
        try:
            with open_hive(image, SYSTEM_PATH, partition=partition) as system:
                names = [v.name for v in system.key("MountedDevices").values] if system.exists("MountedDevices") else []
        except (ForensicsKitError, OSError, ValueError):
            return
        volumes = {m[1].lower() for n in names if (m := re.fullmatch(r"\\\?\?\\Volume(\{[0-9a-fA-F-]+\})", n))}
        hives = [r.path for r in image.walk(partition) if r.allocated and r.type == "file"
                 and re.fullmatch(r"/Users/[^/]+/NTUSER\.DAT", r.path, flags=re.IGNORECASE)]
        for path in hives:
            try:
                with open_hive(image, path, partition=partition) as ntuser:
                    guids = [k.name for k in ntuser.subkeys(explorer)] if ntuser.exists(explorer) else []
            except (ForensicsKitError, OSError, ValueError):
                continue
            for guid in guids:
                if re.fullmatch(r"\{[0-9a-fA-F-]{36}\}", guid) and guid.lower() not in volumes:
                    yield self.finding(case, evidence, path, "mount_point", hive=path, guid=guid)

    def _shortcuts(self, case, evidence: str, image, partition: int | None, by_volume: dict[str, Any]):
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.timefmt import iso_utc
        from forensics_kit.windows import read_lnk

        for record in image.walk(partition):
            if not record.allocated or record.type != "file" or not record.path.lower().endswith(".lnk"):
                continue
            try:
                info = read_lnk(image.read(record.path, partition=partition), name=record.path)
            except (ForensicsKitError, OSError, ValueError):
                continue
            if info.drive_type != "removable" or not info.volume_serial:
                continue
            device = by_volume.get(info.volume_serial)
            if device is None:
                yield self.finding(case, evidence, record.path, "stranger", lnk=record.path, target=info.local_path,
                                   volume=info.volume_serial)
                continue
            names = {"lnk": record.path, "device": device.device, "serial": device.serial,
                     "volume": info.volume_serial}
            created, modified = record.raw_times[6], record.raw_times[0]  # crtime, mtime (seconds)
            if created and device.first_connected and created + _SLACK < _seconds(device.first_connected):
                yield self.finding(case, evidence, record.path, "outside", what="made", what_ru="создан",
                                   time=iso_utc(created), when="before", edge="first connected",
                                   edge_ru="впервые подключён", edge_time=device.first_connected, **names)
            if modified and device.last_removed and modified > _seconds(device.last_removed) + _SLACK:
                yield self.finding(case, evidence, record.path, "outside", what="last written",
                                   what_ru="последний раз изменён", time=iso_utc(modified), when="after",
                                   edge="last removed", edge_ru="последний раз отключён",
                                   edge_time=device.last_removed, **names)
