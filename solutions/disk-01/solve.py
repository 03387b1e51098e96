"""Reference solver for disk-01: answers every question from the image alone.

It uses only forensics_kit, as a trainee would, and narrates how each answer
was found so an instructor can walk the class through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.disk import open_image
from forensics_kit.hashing import hash_bytes

IBAN = re.compile(rb"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    # the question says the suspect's PC ran on Moscow time: FAT keeps that local time
    with open_image(evidence["usb"], fat_time_zone="Europe/Moscow") as img:
        fs = img.filesystems()[0]
        log(f"disk info: one {fs.type} file system, label {fs.label!r}, no partition table")
        answers["fs_type"] = fs.type
        answers["label"] = fs.label

        records = list(img.walk())
        deleted = [r for r in records if not r.allocated and r.type == "file"]
        log(f"disk ls --deleted: {len(deleted)} deleted files: " + ", ".join(r.path for r in deleted))
        answers["deleted_count"] = len(deleted)
        answers["deleted_paths"] = sorted(r.path for r in deleted)

        for record in deleted:
            content = img.read(inode=record.inode)
            match = IBAN.search(content)
            if match:
                log(f"disk cat --inode {record.inode}: {record.path} contains IBAN {match.group().decode()}")
                answers["iban_file"] = record.path
                answers["iban"] = match.group().decode()
                answers["transfer_sha256"] = hash_bytes(content)["sha256"]
                log(f"disk hash: SHA-256 of the recovered document {answers['transfer_sha256']}")
                break

        invoices = [r for r in records if r.allocated and re.fullmatch(r"/Docs/Invoice_\d+\.txt", r.path, re.I)]
        if invoices:
            answers["invoice_mtime"] = invoices[0].mtime
            log(f"disk ls --path '/Docs/Invoice_*': {invoices[0].path} modified {invoices[0].mtime}")
    return answers
