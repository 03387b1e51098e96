"""File carving: recover files from unallocated space (or any blob) by header and structure.

::

    from forensics_kit.disk.carving import carve, write_report

    found = list(carve("usb.dd", "carved/", types=["jpg", "pdf"]))
    write_report(found, "carved/")

Signatures are a registry of small classes (:class:`Signature`); a new type is one
subclass with ``name``, ``ext``, ``headers``, ``max_size`` and ``carve()``.
"""

from __future__ import annotations

from forensics_kit.disk.carving import signatures as _signatures  # noqa: F401 - registers the built-in types
from forensics_kit.disk.carving.carver import Carved, carve, write_report
from forensics_kit.disk.carving.signature import SIGNATURES, Cursor, Signature, signatures_for

__all__ = ["SIGNATURES", "Carved", "Cursor", "Signature", "carve", "signatures_for", "write_report"]
