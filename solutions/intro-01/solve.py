"""Reference solver for intro-01: answers every question from the E01 alone.

It does what the brief asks a trainee to do first (a custody log entry), then reads the
acquisition record, verifies the media against the stored hashes and hashes the media
and one file, narrating each step with the command a trainee would type.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forensics_kit.custody import add_entry, read_log, verify_log
from forensics_kit.disk import open_image
from forensics_kit.hashing import hash_bytes, hash_image

SEAL = re.compile(r"\bseal\s+(?:no\.?\s*|number\s*|#\s*)?([A-Z0-9-]{4,})", re.IGNORECASE)


def _iso(ewf_date: str) -> str:
    """'Sat Mar 23 18:59:58 2024' (the workstation ran in UTC) as ISO 8601 UTC."""
    moment = datetime.strptime(" ".join(ewf_date.split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    image = evidence["sd"]
    answers: dict[str, Any] = {}

    with tempfile.TemporaryDirectory() as tmp:
        custody = Path(tmp) / "custody.jsonl"
        entry = add_entry(custody, image, examiner="Reference solver", action="received E01 from the forensic unit")
        assert not verify_log(custody) and read_log(custody)[-1].sha256 == entry.sha256
        answers["custody_md5"] = entry.md5
        log(f"disk custody add {image.name}: entry 1 records the E01 file's MD5 {entry.md5}")

    with open_image(image) as img:
        record = img.metadata
        log(f"disk info: format {img.format}, acquisition record {sorted(record)}")
        answers["examiner"] = record["examiner_name"]
        answers["case_number"] = record["case_number"]
        answers["evidence_number"] = record["evidence_number"]
        log(
            f"disk info: examiner_name {record['examiner_name']!r}, case_number {record['case_number']!r}, "
            f"evidence_number {record['evidence_number']!r}"
        )
        seal = SEAL.search(record.get("notes", ""))
        if seal:
            answers["seal_number"] = seal.group(1)
            log(f"disk info: notes {record['notes']!r} name seal {seal.group(1)}")
        answers["acquired"] = _iso(record["acquiry_date"])
        log(f"disk info: acquiry_date {record['acquiry_date']!r} (UTC workstation) = {answers['acquired']}")

        stored = img.stored_hashes
        answers["stored_md5"] = stored["md5"]
        log(f"disk info: stored md5 {stored['md5']}, stored sha1 {stored.get('sha1')}")

        media = hash_image(img, ("md5", "sha1", "sha256"))
        same = media["md5"] == stored["md5"] and media["sha1"] == stored.get("sha1")
        answers["verified"] = "yes" if same else "no"
        log(f"disk verify: computed md5 {media['md5']} sha1 {media['sha1']}: {'match' if same else 'MISMATCH'}")
        answers["media_sha256"] = media["sha256"]
        log(f"disk hash {image.name}: media SHA-256 {media['sha256']} (not the E01 file's)")

        sectors = int(record.get("number_of_sectors") or img.size // 512)
        answers["media_sectors"] = sectors
        log(f"disk info: {img.size} bytes = {sectors} sectors of {record.get('bytes_per_sector', 512)} bytes")

        fs = img.filesystems()[0]
        answers["fs_type"] = fs.type
        log(f"disk partitions: an MBR with one partition from sector {fs.offset // 512}; disk info: {fs.type}, "
            f"label {fs.label!r}, {fs.block_size}-byte clusters")

        sheets = [r for r in img.walk() if r.allocated and r.type == "file" and r.name.lower().endswith(".xlsx")]
        if len(sheets) == 1:
            sheet = sheets[0]
            answers["orders_sha256"] = hash_bytes(img.read(inode=sheet.inode))["sha256"]
            log(f"disk ls: the only spreadsheet is {sheet.path}; disk hash: SHA-256 {answers['orders_sha256']}")
    return answers
