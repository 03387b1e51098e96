"""Reference solver for disk-05: keyword search and carving, from the image alone.

It searches the whole image (files, slack, unallocated space; ASCII and UTF-16LE)
for the two keywords and for e-mail addresses and phone numbers, carves
unallocated space, and reads EXIF and PDF metadata of what it carved, narrating
each step as a trainee would report it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.artefacts import read_exif, read_pdf_info
from forensics_kit.disk import carve, open_image, search_image
from forensics_kit.disk.search import CONTEXT

EMAIL = r"[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,}"
PHONE = r"\+7 9\d\d \d\d\d-\d\d-\d\d"


def _matches(hits, pattern: str) -> list[tuple[str, str]]:
    """(text, owner) of every distinct match: YARA reports each suffix of a match too, keep the widest."""
    spans: list[list] = []
    for hit in sorted(hits, key=lambda h: (h.offset, -h.length)):
        end = hit.offset + hit.length
        if spans and hit.offset < spans[-1][1] and hit.encoding == spans[-1][2].encoding:
            continue  # a suffix of the match before
        spans.append([hit.offset, end, hit])
    found = []
    for _, _, hit in spans:
        chars = hit.length // 2 if hit.encoding == "utf-16le" else hit.length
        # the context shows CONTEXT characters before the match (fewer at the start of the media)
        starts = [i for i in range(len(hit.context)) if re.fullmatch(pattern, hit.context[i:i + chars], re.I)]
        text = hit.context[min(starts, key=lambda i: abs(i - CONTEXT)):][:chars]
        found.append((text, hit.owner.describe() if hit.owner else "?"))
    return found


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    image = evidence["usb"]
    with open_image(image) as img:
        fs = img.filesystems()[0]
        log(f"disk info: one {fs.type} file system, label {fs.label!r}")

        for hit in search_image(img, ["safe account", "drop card"]):
            where = hit.owner.describe() if hit.owner else "?"
            log(f"disk search: {hit.term!r} ({hit.encoding}) at offset {hit.offset} in {where}")
            if hit.term == "safe account" and hit.owner and hit.owner.kind == "unallocated":
                answers["script_offset"] = hit.offset
            if hit.term == "drop card" and hit.owner and hit.owner.kind == "slack":
                answers["slack_file"] = hit.owner.path

        # the Russian papers: one keyword in the three encodings a Russian-speaking office writes
        found: dict[str, str] = {}
        for hit in search_image(img, ["пенсионер"], encodings=("cp1251", "utf-8", "utf-16le")):
            if hit.owner and hit.owner.kind == "file":
                found.setdefault(hit.owner.path, hit.encoding)
        answers["pensioner_files"] = sorted(found)
        log("disk search пенсионер --encoding cp1251/utf-8/utf-16le: "
            + ", ".join(f"{path} ({encoding})" for path, encoding in sorted(found.items())))

        hits = list(search_image(img, [], regexes=[EMAIL, PHONE]))
        emails = _matches([h for h in hits if h.term == EMAIL], EMAIL)
        phones = _matches([h for h in hits if h.term == PHONE], PHONE)
        for text, where in emails + phones:
            log(f"disk search --regex: {text} in {where}")
        answers["emails"] = sorted({t.lower() for t, _ in emails})
        answers["phones"] = sorted({t for t, _ in phones})
        log(f"{len(answers['emails'])} distinct e-mail addresses, {len(answers['phones'])} distinct phone numbers")

        with tempfile.TemporaryDirectory() as tmp:
            carved = list(carve(img, tmp))
            log("disk carve: " + ", ".join(f"{c.name} ({c.type}, {c.size} bytes)" for c in carved))
            jpegs = [c for c in carved if c.type == "jpg"]
            answers["jpeg_count"] = len(jpegs)
            for c in jpegs:
                exif = read_exif(str(Path(tmp) / c.name))
                if exif.gps_lat is None:
                    continue
                log(f"disk exif --file {c.name}: {exif.make} {exif.model}, taken {exif.datetime_original_utc} UTC, "
                    f"GPS {exif.gps_lat}, {exif.gps_lon}; SHA-256 {c.sha256}")
                answers.update(photo_sha256=c.sha256, latitude=exif.gps_lat, longitude=exif.gps_lon,
                               camera_model=exif.model, photo_taken=exif.datetime_original_utc)
            for c in carved:
                if c.type == "pdf":
                    info = read_pdf_info(str(Path(tmp) / c.name))
                    log(f"disk pdfinfo --file {c.name}: title {info.title!r}, author {info.author!r}")
                    answers["pdf_author"] = info.author
    return answers
