"""Document and photo times agree with the clock of the host that made them and with the file system.

A PDF's CreationDate/ModDate (``D:20240514101233+03'00'``) and its XMP dates
carry the producing machine's UTC offset; a photo's EXIF DateTimeOriginal is the
camera's wall clock, OffsetTimeOriginal its offset, and the GPS stamp the same
instant in UTC. A disk whose recipe declares its host's zone (``tz``) makes the
documents planted on it come from that host. For every planted item (a live or
deleted file, or one left in unallocated space, read where the truth says) the
rule checks:

- the offset written is the declared zone's offset at that instant (a PDF that
  says ``Z`` from a PC in Moscow, or a photo stamped +02:00 by a phone on Moscow time);
- XMP and the Info dictionary give the same instants;
- EXIF's local time less its offset is the GPS time (one clock, one instant);
- the document is not modified (a photo not taken) after the file's own mtime.
A disk without ``tz`` (a Linux laptop keeping UTC, photos copied from a phone)
is checked only for the last three.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.timefmt import parse_iso

_PDF_DATE = re.compile(
    rb"/(CreationDate|ModDate)\s*\(D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'\d{2}'?)?\)")
_XMP_DATE = re.compile(
    rb"xmp:(CreateDate|ModifyDate)(?:=\"|>)(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2}))")
_XMP_FOR = {b"CreateDate": "CreationDate", b"ModifyDate": "ModDate"}
_SLACK = 2  # seconds: FAT's 2-second mtime, a save that ends a moment after the stamp


def _offset_text(minutes: int) -> str:
    return "Z" if not minutes else f"{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_minutes(zone: ZoneInfo, when: datetime) -> int:
    return int(when.astimezone(zone).utcoffset().total_seconds()) // 60


def _pdf_dates(data: bytes) -> dict[str, tuple[datetime, int | None]]:
    """``{CreationDate|ModDate: (instant, offset minutes or None when zone-less)}`` of a PDF's Info."""
    dates = {}
    for match in _PDF_DATE.finditer(data):
        key, *digits, zone = match.groups()
        wall = datetime(*map(int, digits), tzinfo=UTC)
        if zone is None:
            dates[key.decode()] = (wall, None)
            continue
        minutes = 0 if zone == b"Z" else (1 if zone[:1] == b"+" else -1) * (int(zone[1:3]) * 60 + int(zone[4:6]))
        dates[key.decode()] = (wall - timedelta(minutes=minutes), minutes)
    return dates


class DocumentZone(AuditRule):
    """PDF and EXIF times carry the producing host's zone, agree with XMP/GPS and with the file's mtime."""

    name = "document-zone"
    title = {"en": "PDF and EXIF times carry the declared zone and agree with XMP, GPS and the file system",
             "ru": "времена PDF и EXIF несут заявленный часовой пояс и согласуются с XMP, GPS и файловой системой"}
    messages = {
        "zone": {"en": "{field} is written with offset {written}, but the host's clock in {zone} was at {expected}",
                 "ru": "{field} записано со смещением {written}, а часы хоста в поясе {zone} показывали {expected}"},
        "xmp": {"en": "XMP {xmp} and Info {field} are different instants ({a} and {b} UTC)",
                "ru": "XMP {xmp} и Info {field} — разные моменты ({a} и {b} UTC)"},
        "gps": {"en": "EXIF DateTimeOriginal less its offset is {exif} UTC, the GPS stamp says {gps} UTC",
                "ru": "EXIF DateTimeOriginal минус смещение — {exif} UTC, а метка GPS — {gps} UTC"},
        "after_file": {"en": "{field} {when} UTC is after the file's mtime {mtime}: a file is written when saved",
                       "ru": "{field} {when} UTC позже mtime файла {mtime}: файл записывается при сохранении"},
    }

    def check(self, case):
        for entry in case.entries("disk"):
            zone = ZoneInfo(str(entry["tz"])) if entry.get("tz") else None
            files = {(f.partition, f.inode): f for f in case.disk_files(entry["id"])}
            image = None
            for item_id, truth in case.truth.get("items", {}).items():
                if truth.get("evidence") != entry["id"]:
                    continue
                if "inode" in truth:
                    file = files.get((truth.get("partition"), truth.get("inode")))
                    data = file.data if file else b""
                elif "image_offset" in truth and "size" in truth:
                    if image is None:
                        image = case.artefact(entry["id"]).read_bytes()
                    data = image[truth["image_offset"]:truth["image_offset"] + truth["size"]]
                else:
                    continue
                where = truth.get("path") or f"{item_id} (sector {truth.get('sector')})"
                mtime = parse_iso(truth["mtime"]) if truth.get("mtime") else None
                if data.startswith(b"%PDF-"):
                    yield from self._pdf(case, entry["id"], where, data, zone, mtime)
                elif data.startswith(b"\xff\xd8"):
                    yield from self._photo(case, entry["id"], where, data, zone, mtime)

    def _pdf(self, case, evidence, where, data, zone, mtime):
        dates = _pdf_dates(data)
        for field, (instant, minutes) in dates.items():
            if zone is not None and minutes is not None and minutes != _zone_minutes(zone, instant):
                yield self.finding(case, evidence, where, "zone", field=field, written=_offset_text(minutes),
                                   zone=zone.key, expected=_offset_text(_zone_minutes(zone, instant)))
        for match in _XMP_DATE.finditer(data):
            field = _XMP_FOR[match.group(1)]
            xmp = parse_iso(match.group(2).decode()).astimezone(UTC)
            if field in dates and abs((xmp - dates[field][0]).total_seconds()) >= 1:
                yield self.finding(case, evidence, where, "xmp", xmp=f"xmp:{match.group(1).decode()}", field=field,
                                   a=_show(xmp), b=_show(dates[field][0]))
        if mtime is not None and ("ModDate" in dates or "CreationDate" in dates):
            field = "ModDate" if "ModDate" in dates else "CreationDate"
            if (dates[field][0] - mtime).total_seconds() > _SLACK:
                yield self.finding(case, evidence, where, "after_file", field=field, when=_show(dates[field][0]),
                                   mtime=_show(mtime))

    def _photo(self, case, evidence, where, data, zone, mtime):
        from forensics_kit.artefacts.exif import read_exif
        from forensics_kit.errors import ForensicsKitError

        try:
            info = read_exif(data, where)
        except (ForensicsKitError, ValueError):
            return
        if not info.datetime_original:
            return
        wall = datetime.strptime(info.datetime_original[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        offset = info.offset_time_original
        if not offset:
            return
        minutes = (1 if offset[0] == "+" else -1) * (int(offset[1:3]) * 60 + int(offset[4:6]))
        instant = wall - timedelta(minutes=minutes)
        if zone is not None and minutes != _zone_minutes(zone, instant):
            yield self.finding(case, evidence, where, "zone", field="OffsetTimeOriginal",
                               written=_offset_text(minutes), zone=zone.key,
                               expected=_offset_text(_zone_minutes(zone, instant)))
        gps = _gps_instant(info.raw)
        if gps is not None and abs((gps - instant).total_seconds()) > _SLACK:
            yield self.finding(case, evidence, where, "gps", exif=_show(instant), gps=_show(gps))
        if mtime is not None and (instant - mtime).total_seconds() > _SLACK:
            yield self.finding(case, evidence, where, "after_file", field="DateTimeOriginal", when=_show(instant),
                               mtime=_show(mtime))


def _gps_instant(raw: dict) -> datetime | None:
    day, clock = raw.get("GPS.GPSDateStamp"), raw.get("GPS.GPSTimeStamp")
    if not day or not clock or len(clock) != 3:
        return None
    try:
        base = datetime.strptime(str(day), "%Y:%m:%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return base + timedelta(hours=float(clock[0]), minutes=float(clock[1]), seconds=float(clock[2]))


def _show(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
