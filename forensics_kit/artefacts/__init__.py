"""Readers of the artefacts a trainee meets first: photo EXIF, PDF and Office metadata,
VBA macros, browser history, Linux auth logs and shell history.

Each reader takes the file's bytes (or a local path; text readers also a ``str``),
never writes anywhere, and returns typed records with ``to_dict()``. Damaged or
hostile input gives :class:`forensics_kit.errors.EvidenceError` naming the file::

    from forensics_kit.artefacts import read_exif
    from forensics_kit.disk import open_image

    with open_image("usb.dd") as img:
        info = read_exif(img.read("/DCIM/IMG_0001.JPG"), name="usb.dd:/DCIM/IMG_0001.JPG")
    info.gps_lat, info.gps_lon, info.datetime_original
"""

from __future__ import annotations

from forensics_kit.artefacts.authlog import AuthEvent, LoginSummary, login_summary, read_auth_log
from forensics_kit.artefacts.bash_history import Command, read_bash_history
from forensics_kit.artefacts.browser_history import Visit, read_browser_history
from forensics_kit.artefacts.exif import ExifInfo, read_exif
from forensics_kit.artefacts.office import OfficeProperties, read_office_properties
from forensics_kit.artefacts.pdf import PdfInfo, pdf_date_to_iso, read_pdf_info
from forensics_kit.artefacts.vba import VbaModule, read_vba_macros

__all__ = [
    "AuthEvent",
    "Command",
    "ExifInfo",
    "LoginSummary",
    "OfficeProperties",
    "PdfInfo",
    "VbaModule",
    "Visit",
    "login_summary",
    "pdf_date_to_iso",
    "read_auth_log",
    "read_bash_history",
    "read_browser_history",
    "read_exif",
    "read_office_properties",
    "read_pdf_info",
    "read_vba_macros",
]
