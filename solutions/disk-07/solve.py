"""Reference solver for disk-07: ties the laptop's Firefox history to the phone card's photos.

It uses only forensics_kit, as a trainee would: find the history database by name,
list the visits of the evening, read the EXIF of every photo on the card (deleted
ones too), and merge both into one UTC timeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from forensics_kit.artefacts import read_browser_history, read_exif
from forensics_kit.disk import open_image
from forensics_kit.hashing import hash_bytes

EVENING = ("2024-03-14T17:00:00Z", "2024-03-15T00:00:00Z")
LISTING = re.compile(r"/\d{6,}/?$")  # classified ads end in a long numeric id


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _in_evening(text: str | None) -> bool:
    return text is not None and _utc(EVENING[0]) <= _utc(text) < _utc(EVENING[1])


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    with open_image(evidence["laptop"]) as img:
        parts = [p for p in img.partitions() if p.filesystem]
        log("disk partitions laptop.dd: " + ", ".join(f"#{p.index} {p.filesystem}" for p in parts))
        history = next(r for r in img.walk() if r.type == "file" and r.name in ("places.sqlite", "History"))
        answers["history_path"] = history.path
        log(f"disk ls laptop.dd: Firefox profile database {history.path} (partition {history.partition})")
        visits = read_browser_history(img.read(inode=history.inode, partition=history.partition))
    log(f"disk history laptop.dd {history.path}: {len(visits)} visits")

    evening = [v for v in visits if _in_evening(v.time)]
    hosts = [urlsplit(v.url).hostname for v in evening]
    answers["evening_domains"] = sorted(set(hosts))
    log("visits of 14 March 17:00-24:00 UTC: " + "; ".join(f"{v.time} {v.url}" for v in evening))

    listing = next(v for v in evening if LISTING.search(urlsplit(v.url).path))
    answers["listing_url"] = listing.url
    answers["listing_time"] = listing.time
    log(f"the listing {listing.url} ({listing.title!r}) was first opened at {listing.time}")
    map_visit = next(v for v in evening if "mlat=" in v.url or "map=" in v.url)
    log(f"map page at {map_visit.time}: {map_visit.url}")

    photos = []
    with open_image(evidence["sdcard"]) as card:
        for record in card.walk():
            if record.type != "file" or not record.name.lower().endswith((".jpg", ".jpeg")):
                continue
            info = read_exif(card.read(inode=record.inode), name=record.path)
            photos.append((record, info, card.read(inode=record.inode)))
            log(f"disk exif sdcard.dd --inode {record.inode}: {record.path} "
                f"{'deleted' if not record.allocated else 'allocated'}, {info.make} {info.model}, "
                f"taken {info.datetime_original} = {info.datetime_original_utc}, GPS {info.gps_lat}, {info.gps_lon}")
    answers["camera_model"] = photos[0][1].model

    evening_photos = [(r, i, data) for r, i, data in photos if _in_evening(i.datetime_original_utc)]
    deleted = [(r, i, data) for r, i, data in photos if not r.allocated]
    meeting = [p for p in evening_photos if not p[0].allocated]
    answers["meet_lat"] = round(meeting[0][1].gps_lat, 5)
    answers["meet_lon"] = round(meeting[0][1].gps_lon, 5)
    log(f"the deleted photos of the evening were taken at {answers['meet_lat']}, {answers['meet_lon']} "
        "(the same point as the map page's mlat/mlon)")

    closest = min(deleted, key=lambda p: abs((_utc(p[1].datetime_original_utc) - _utc(map_visit.time)).total_seconds()))
    answers["closest_photo"] = closest[0].path
    answers["photo_sha256"] = hash_bytes(closest[2])["sha256"]
    log(f"deleted photo closest to the map visit: {closest[0].path}, taken {closest[1].datetime_original_utc}; "
        f"disk hash: SHA-256 {answers['photo_sha256']}")

    events = [(_utc(v.time), urlsplit(v.url).hostname) for v in evening]
    events += [(_utc(i.datetime_original_utc), r.name) for r, i, _ in evening_photos]
    events.sort(key=lambda e: e[0])
    answers["evening_order"] = [name for _, name in events]
    log("timeline of the evening (UTC): " + " -> ".join(f"{t:%H:%M:%S} {n}" for t, n in events))
    return answers
