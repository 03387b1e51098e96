"""Exported objects: HTTP bodies, FTP transfers and mail (``.eml`` plus attachments) as files.

Like Wireshark's *Export Objects*: every HTTP message body (responses
de-chunked and decompressed, POST bodies too) named from Content-Disposition
or the URI's last segment, and, beyond Wireshark, each file part of a
``multipart/form-data`` upload on its own, decoded, under its ``filename``;
every FTP data transfer named by its RETR/STOR argument; every mail seen in SMTP, POP3 or IMAP as ``.eml`` with its
attachments decoded. Files are written only inside ``out_dir`` under
:func:`safe_name` names, through :class:`~forensics_kit.safe_output.OutputFolder`
as ``disk export`` writes: a symbolic link already in the folder is never followed
and an existing file never overwritten (ours gets ``name (2).ext``). A manifest
(``manifest.csv`` and ``manifest.json``) gives each one's size, hashes, source
frames, stream, protocol, original name and whether it was cut at the 64 MiB limit
(``truncated``). The capture itself is only read.
"""

from __future__ import annotations

import csv
import email.parser
import email.policy
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from forensics_kit.errors import ForensicsKitError
from forensics_kit.hashing import hash_bytes
from forensics_kit.net.http import http_transactions
from forensics_kit.net.http_wire import header
from forensics_kit.net.protocols import read_sessions
from forensics_kit.net.streams import Progress, StreamIndex, StreamInfo, tcp_streams
from forensics_kit.safe_output import OutputFolder

EXPORT_PROTOCOLS = ("http", "ftp", "smtp", "pop3", "imap")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8''|"?)([^";]+)""", re.IGNORECASE)
MANIFEST_FIELDS = ("name", "size", "md5", "sha256", "frames", "stream", "protocol", "original_name",
                   "content_type", "source", "truncated")


@dataclass(slots=True)
class ExportedObject:
    """One file written to the output directory, with where it came from."""

    name: str
    size: int
    md5: str
    sha256: str
    frames: list[int]
    stream: int | None
    protocol: str
    original_name: str
    content_type: str | None = None
    source: str = ""
    truncated: bool = False  # cut at the 64 MiB limit of a body or stream: not the whole object

    def to_dict(self) -> dict:
        """JSON-ready values (the manifest row)."""
        return {"name": self.name, "size": self.size, "md5": self.md5, "sha256": self.sha256,
                "frames": list(self.frames), "stream": self.stream, "protocol": self.protocol,
                "original_name": self.original_name, "content_type": self.content_type, "source": self.source,
                "truncated": self.truncated}


@dataclass(slots=True)
class ExportReport:
    """What :func:`export_objects` wrote."""

    out_dir: str
    objects: list[ExportedObject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"out_dir": self.out_dir, "objects": [o.to_dict() for o in self.objects],
                "warnings": list(self.warnings)}


def safe_name(name: str, taken: set[str], default: str = "object") -> str:
    """A file name that stays inside its directory and is unique in ``taken`` (which it joins).

    Path separators, control characters and characters Windows forbids become
    ``_``; ``.``/``..``, empty names and device names (CON, NUL, COM1...) are
    changed; the name is cut to 255 UTF-8 bytes; a duplicate gets ``_1``,
    ``_2``... before its extension.
    """
    name = _UNSAFE.sub("_", name).strip(" .") or default
    if _RESERVED.match(name):
        name = "_" + name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 16:
        stem, dot, ext = name, "", ""

    def fit(candidate_stem: str, suffix: str) -> str:
        tail = suffix + dot + ext
        budget = 255 - len(tail.encode("utf-8"))
        cut = candidate_stem.encode("utf-8")[:max(budget, 1)].decode("utf-8", "ignore")
        return cut + tail

    candidate = fit(stem, "")
    number = 0
    while candidate.lower() in taken:
        number += 1
        candidate = fit(stem, f"_{number}")
    taken.add(candidate.lower())
    return candidate


def http_name(uri: str, headers: list[tuple[str, str]]) -> str:
    """Content-Disposition's file name, else the URI's last path segment, else ``index.html``."""
    disposition = header(headers, "Content-Disposition")
    if disposition and (m := _FILENAME.search(disposition)):
        return unquote(m.group(1).strip())
    try:
        path = urlsplit(uri).path
    except ValueError:
        path = uri
    return unquote(path.rstrip("/").rsplit("/", 1)[-1]) or "index.html"


def form_files(body: bytes, content_type: str | None) -> list[tuple[str, str, bytes, str | None]]:
    """(form field, file name, content, part type) of each file part of a multipart/form-data body.

    The content is decoded (base64 or quoted-printable parts too); parts
    without a ``filename`` (plain form fields) and bodies of other types give
    nothing, and so does a body that is not valid multipart.
    """
    if not content_type or not content_type.lower().startswith("multipart/form-data") or not body:
        return []
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace") + body)
        files = []
        for part in message.iter_parts():
            filename = part.get_filename()
            if filename is None:
                continue
            data = part.get_payload(decode=True)
            field_name = part.get_param("name", header="content-disposition")
            files.append((str(field_name or ""), str(filename), data if isinstance(data, bytes) else b"",
                          part.get("Content-Type")))
        return files
    except Exception:  # noqa: BLE001 - the email parser raises many types on damaged input; not a form then
        return []


class _Writer:
    """Names each object, writes it exclusively into the output folder and records it."""

    def __init__(self, folder: OutputFolder) -> None:
        self.folder = folder
        self.taken: set[str] = {"manifest.csv", "manifest.json"}
        self.objects: list[ExportedObject] = []

    def write(self, original: str, data: bytes, protocol: str, frames: list[int], stream: int | None,
              content_type: str | None = None, source: str = "", truncated: bool = False) -> None:
        name = self.folder.write(safe_name(original, self.taken), data)
        digests = hash_bytes(data, ("md5", "sha256"))
        self.objects.append(ExportedObject(name, len(data), digests["md5"], digests["sha256"], frames, stream,
                                           protocol, original, content_type, source, truncated))


def export_objects(path: str | Path, out_dir: str | Path, protocols: Iterable[str] = EXPORT_PROTOCOLS,
                   progress: Progress | None = None) -> ExportReport:
    """Write the objects of ``protocols`` found in the capture into ``out_dir``; return the report."""
    protocols = list(protocols)
    unknown = sorted(set(protocols) - set(EXPORT_PROTOCOLS))
    if unknown:
        raise ForensicsKitError(f"cannot export {', '.join(unknown)} (known: {', '.join(EXPORT_PROTOCOLS)})")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ForensicsKitError(f"{out}: exists and is not a directory")
    with OutputFolder(out) as folder:
        return _export(path, folder, protocols, progress)


def _export(path: str | Path, folder: OutputFolder, protocols: list[str], progress: Progress | None,
            ) -> ExportReport:
    report = ExportReport(str(folder.out_dir))
    writer = _Writer(folder)
    table: list[StreamInfo] = []
    stream_protocols = [p for p in protocols if p != "http"]
    parsers = read_sessions(path, stream_protocols, warnings=report.warnings, progress=progress,
                            streams=table) if stream_protocols else {}
    if "http" in protocols:
        if not table:
            table = tcp_streams(path)
        streams = StreamIndex(table)
        for t in http_transactions(path, orphan_responses=True):
            stream = streams.find(t.src, t.sport, t.dst, t.dport, t.frame)
            if t.method is None:  # a response whose request is not in the capture
                if t.body:
                    writer.write(http_name("", t.response_headers), t.body, "http", [t.response_frame], stream,
                                 t.content_type, f"{t.status} (request not captured)", t.body_truncated)
                continue
            if t.request_body:
                request_type = header(t.request_headers, "Content-Type")
                writer.write(http_name(t.uri, []), t.request_body, "http", [t.frame], stream,
                             request_type, f"{t.method} {t.uri}", t.request_body_truncated)
                for field_name, filename, data, part_type in form_files(t.request_body, request_type):
                    writer.write(filename.replace("\\", "/").rsplit("/", 1)[-1] or "upload.bin", data, "http",
                                 [t.frame], stream, part_type,
                                 f"form field {field_name!r} ({filename}) of {t.method} {t.uri}")
            if t.body and t.response_frame:
                writer.write(http_name(t.uri, t.response_headers), t.body, "http", [t.frame, t.response_frame],
                             stream, t.content_type, f"{t.status} for {t.method} {t.uri}", t.body_truncated)
    if "ftp" in parsers:
        for session in parsers["ftp"].results():
            for f in session.files:
                if f.data_stream is not None and f.direction != "listing":
                    writer.write(f.name.rsplit("/", 1)[-1], f.data, "ftp", [f.command_frame, *f.frames],
                                 f.data_stream, None, f"{f.command} {f.name} ({f.direction}, {f.mode})", f.truncated)
    for name in ("smtp", "pop3", "imap"):
        for session in parsers[name].results() if name in parsers else []:
            for number, message in enumerate(session.messages, 1):
                label = f"{name}-stream{message.stream}-msg{number}.eml"
                writer.write(label, message.raw, name, [message.frame], message.stream, "message/rfc822",
                             message.subject or "", message.truncated)
                for attachment in message.attachments:
                    writer.write(attachment.name or "attachment.bin", attachment.data, name, [message.frame],
                                 message.stream, attachment.content_type, f"attachment of {label}",
                                 message.truncated)
    report.objects = writer.objects
    _manifest(folder, report)
    return report


def _manifest(folder: OutputFolder, report: ExportReport) -> None:
    """manifest.json and manifest.csv; an existing manifest is kept and ours numbered (with a warning)."""
    rows = [o.to_dict() for o in report.objects]
    text = io.StringIO()
    writer = csv.DictWriter(text, MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "frames": " ".join(str(f) for f in row["frames"])})
    body = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    for name, content in (("manifest.json", body), ("manifest.csv", text.getvalue())):
        fd, written = folder.create_root(name)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(content)
        if written != name:
            report.warnings.append(f"{name} already in {folder.out_dir}: this export's is {written}")
