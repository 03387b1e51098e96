"""FAT keeps local time: what its entries hold agrees with the zone of the clock that wrote them.

A FAT directory entry has no zone. Windows (and a phone writing its SD card)
stores its own wall clock: modification to 2 s, creation to 10 ms, access as a
date. The disk's recipe declares that clock's zone (``tz``, UTC by default). The
rule reads the entries as ``fls`` does with ``TZ=UTC`` (the stored wall clock)
and checks, for every planted item:

- the stored modification, creation and access fields are the planned UTC time
  on the declared clock (a stick written in UTC by a PC in Moscow teaches the
  trainee that FAT stores UTC);
- the truth keeps UTC (the answer key's times are real instants);
- a photo the camera wrote as it took it has the same wall clock in its EXIF
  ``DateTimeOriginal`` and its FAT modification time (one device, one clock);
- a question on such a time names the declared zone's offset (``UTC+3``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.audit.rules.questions import _truth_ref, local_time_source
from forensics_kit.timefmt import parse_iso

_DAY = 86400
_FIELDS = {"modified": (0, "mtime"), "accessed": (2, "atime"), "created": (6, "crtime")}


def _holders(entry: dict) -> list[dict]:
    """The parts of a disk entry that hold one file system each (the disk itself or its partitions)."""
    return [entry] if "filesystem" in entry else list(entry.get("partitions", []))


def _wall(seconds: float, clock: ZoneInfo) -> int:
    """The wall-clock reading of ``clock`` at a POSIX time, as seconds since 1970 read as if UTC."""
    local = datetime.fromtimestamp(int(seconds), tz=clock)
    return int(seconds) + int(local.utcoffset().total_seconds())


def _expected(field: str, wall: int) -> int:
    """What FAT keeps of a wall-clock time: modification to 2 s, access as a date, creation to the second."""
    return {"modified": wall - wall % 2, "accessed": wall - wall % _DAY}.get(field, wall)


def _show(wall: int) -> str:
    """A wall-clock reading (seconds read as if UTC) as ``2024-03-01 13:00:00``."""
    return datetime.fromtimestamp(wall, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def zone_label(zone: str, seconds: float) -> str:
    """``UTC``, ``UTC+3``, ``UTC+5:30``: the zone's offset at that time, as questions write it."""
    offset = int(datetime.fromtimestamp(int(seconds), tz=ZoneInfo(zone)).utcoffset().total_seconds()) // 60
    if not offset:
        return "UTC"
    hours, minutes = divmod(abs(offset), 60)
    return f"UTC{'+' if offset > 0 else '-'}{hours}" + (f":{minutes:02d}" if minutes else "")


class FatLocalTime(AuditRule):
    """FAT entries hold the declared clock's local time; truth keeps UTC; photos and questions agree."""

    name = "fat-local-time"
    title = {"en": "FAT times are the local time of the disk's declared clock zone",
             "ru": "времена FAT — местное время часов в заявленном часовом поясе диска"}
    messages = {
        "stored": {"en": "{field} stored as {stored}, but {planned} UTC on a clock in {zone} reads {local}",
                   "ru": "{field} записано как {stored}, но {planned} UTC на часах в поясе {zone} — это {local}"},
        "truth": {"en": "truth gives {field} {truth}, not the planned instant {planned} UTC (truth keeps UTC)",
                  "ru": "в truth {field} = {truth}, а не запланированный момент {planned} UTC (truth хранит UTC)"},
        "exif": {"en": "EXIF DateTimeOriginal {exif} and the FAT mtime {fat} differ by {hours} h: "
                       "the camera and its card keep one clock",
                 "ru": "EXIF DateTimeOriginal {exif} и mtime FAT {fat} расходятся на {hours} ч: "
                       "у камеры и её карты одни часы"},
        "question": {"en": "asks for a FAT time on a clock in {zone} but does not name {label} ({lang} text)",
                     "ru": "спрашивает время FAT на часах в поясе {zone}, но не называет {label} (текст {lang})"},
    }

    def check(self, case):
        zones = {entry["id"]: str(entry.get("tz", "UTC")) for entry in case.entries("disk")}
        for entry in case.entries("disk"):
            clock = ZoneInfo(zones[entry["id"]])
            files = case.disk_files(entry["id"])
            by_inode = {(f.partition, f.inode): f for f in files}
            for holder in _holders(entry):
                if not str(holder.get("filesystem", {}).get("type", "")).startswith("fat"):
                    continue
                for item in holder.get("items", []):
                    yield from self._item(case, entry["id"], item, clock, by_inode)
            yield from self._photos(case, entry["id"], [f for f in files if f.fs_type.upper().startswith("FAT")])
        yield from self._questions(case, zones)

    def _item(self, case, evidence, item, clock, by_inode):
        truth = case.truth.get("items", {}).get(item.get("id"))
        times = item.get("times") or {}
        if not truth or "modified" not in times:
            return
        planned = {"modified": parse_iso(str(times["modified"])).timestamp()}
        for field in ("created", "accessed"):
            planned[field] = parse_iso(str(times[field])).timestamp() if field in times else planned["modified"]
        file = by_inode.get((truth.get("partition"), truth.get("inode")))
        for field, (index, name) in _FIELDS.items():
            if file is not None:
                local = _expected(field, _wall(planned[field], clock))
                stored = file.raw_times[index]
                if abs(stored - local) >= 2:
                    yield self.finding(case, evidence, truth["path"], "stored", field=name, stored=_show(stored),
                                       planned=_show(int(planned[field])), zone=clock.key, local=_show(local))
                    return
            if field == "modified" and truth.get(name):
                kept = parse_iso(truth[name]).timestamp()
                if abs(kept - planned[field]) >= 2:
                    yield self.finding(case, evidence, truth["path"], "truth", field=name, truth=truth[name],
                                       planned=_show(int(planned[field])))
                    return

    def _photos(self, case, evidence, files):
        from forensics_kit.artefacts.exif import read_exif
        from forensics_kit.errors import ForensicsKitError

        for file in files:
            if not file.data.startswith(b"\xff\xd8") or not file.raw_times[0]:
                continue
            try:
                shot = read_exif(file.data, file.path).datetime_original
            except (ForensicsKitError, ValueError):
                continue
            if not shot:
                continue
            exif_wall = int(parse_iso(shot[:19]).timestamp())
            diff = file.raw_times[0] - exif_wall
            if abs(diff) >= 2 and abs(diff) <= 14 * 3600 and abs(diff) % 900 < 2:
                yield self.finding(case, evidence, file.path, "exif", exif=shot[:19].replace("T", " "),
                                   fat=_show(file.raw_times[0]), hours=f"{diff / 3600:g}")

    def _questions(self, case, zones):
        for question in case.questions():
            ref = _truth_ref(question.answer)
            source = local_time_source(case.truth, ref) if ref else None
            if not source or source == "ewfinfo":
                continue
            item = case.truth["items"][ref.split(".")[1]]
            zone = zones.get(item.get("evidence"), "UTC")
            when = item.get(ref.split(".")[2])
            label = zone_label(zone, parse_iso(when).timestamp()) if when else "UTC"
            if label == "UTC":
                continue
            pattern = re.compile(re.escape(label).replace(r"\+", "[+]").replace("UTC", r"UTC ?") + r"(?!\d)")
            for lang in ("en", "ru"):
                if not pattern.search(question.text.get(lang, "")):
                    yield self.finding(case, f"labs/{question.lab}", f"question {question.id}", "question",
                                       zone=zone, label=label, lang=lang)
