"""A built case read back the way an examiner reads it: files through TSK, packets from the pcap.

The audit never trusts what the builder meant to write: file names, contents,
owners and times come from the image through :mod:`forensics_kit.disk` (pytsk3),
packets from the capture through :mod:`forensics_kit.net`'s reader. The recipe
(rendered with the build's drawn parameters) and ``truth.json`` only say what
the evidence is supposed to be (which hosts are local, which item a question asks about).
"""

from __future__ import annotations

import functools
import io
import ipaddress
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from forensics_kit.builder.audit.errors import AuditError
from forensics_kit.builder.recipe import Recipe
from forensics_kit.builder.template import render
from forensics_kit.errors import ForensicsKitError

_MAX_NESTING = 3  # zip in zip in zip


@dataclass(frozen=True)
class DiskFile:
    """One file (or NTFS stream) of a disk image, with its content as icat gives it."""

    evidence: str
    partition: int | None
    fs_type: str
    path: str
    inode: int
    allocated: bool
    raw_times: tuple[int, ...]
    data: bytes
    uid: int | None = None  # the owner TSK reads (ext file systems only)
    gid: int | None = None


@dataclass(frozen=True)
class Blob:
    """Bytes an examiner can search: a file, a member of an archive, or a TCP/UDP flow's payload.

    ``where`` names it (``/Docs/a.zip!inner.txt``, ``tcp 10.0.0.5:41000 > 1.2.3.4:80``);
    ``member`` is the zip entry when the blob is an archive member.
    """

    evidence: str
    where: str
    data: bytes
    member: zipfile.ZipInfo | None = None


@dataclass(frozen=True)
class Packet:
    """The header fields of one IP packet that realism rules look at."""

    number: int
    ts_ns: int
    src_mac: str
    src: str
    dst: str
    ttl: int
    proto: int
    sport: int | None
    dport: int | None
    flags: int
    seq: int
    payload: bytes
    group: bool  # multicast or broadcast: stacks use other TTLs there (mDNS 255, SSDP 4)
    window: int = 0  # TCP window field (unscaled)
    tcp_options: bytes = b""  # TCP options, kept for SYN segments only (the stack's fingerprint)


@dataclass(frozen=True)
class LabQuestion:
    """A question of a lab built on this case, with its answer-key entry."""

    lab: str
    id: str
    type: str
    text: dict[str, str]
    answer: dict[str, Any]


class BuiltCase:
    """One build (default or a variant) of a recipe, read lazily and cached per evidence item.

    Args:
        recipe: the checked recipe the build came from.
        directory: the build folder (with ``truth.json``).
        course_root: the checkout holding ``labs/`` and ``solutions/`` (for the question
            rules); None skips them.
    """

    def __init__(self, recipe: Recipe, directory: Path, course_root: Path | None = None) -> None:
        self.recipe = recipe
        self.directory = Path(directory)
        try:
            self.truth: dict[str, Any] = json.loads((self.directory / "truth.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise AuditError(f"{self.directory}: no readable truth.json ({exc})") from exc
        self.case = recipe.case
        self.variant: str | None = self.truth.get("variant")
        self.evidence: list[dict[str, Any]] = render(recipe.data["evidence"], self.truth["parameters"])
        self.course_root = course_root

    def entries(self, kind: str) -> list[dict[str, Any]]:
        """The rendered evidence entries of one type (``disk``, ``pcap``)."""
        return [entry for entry in self.evidence if entry["type"] == kind]

    def artefact(self, evidence_id: str) -> Path:
        """The built file of an evidence item (an E01's first segment)."""
        return self.directory / self.truth["artefacts"][evidence_id]["file"]

    # -- disks -------------------------------------------------------------------------

    @functools.cache  # noqa: B019 - one BuiltCase per audit run; caching is the point
    def disk_files(self, evidence_id: str) -> list[DiskFile]:
        """Every file and NTFS stream of the image, deleted ones included, with content."""
        from forensics_kit.disk import open_image, stat_entry

        files = []
        try:
            with open_image(self.artefact(evidence_id)) as image:
                types = {fs.partition: fs.type for fs in image.filesystems()}
                for record in image.walk():
                    if record.type != "file" or record.path.startswith("/$"):
                        continue
                    try:
                        data = (image.read(record.path, partition=record.partition) if record.stream
                                else image.read(inode=record.inode, partition=record.partition))
                    except (ForensicsKitError, OSError, ValueError):
                        data = b""
                    uid = gid = None
                    if types.get(record.partition, "").startswith("ext") and record.allocated:
                        try:
                            entry = stat_entry(image, inode=record.inode, partition=record.partition)
                            uid, gid = entry.uid, entry.gid
                        except (ForensicsKitError, OSError, ValueError):
                            pass
                    files.append(DiskFile(evidence_id, record.partition, types.get(record.partition, "?"),
                                          record.path, record.inode, record.allocated, record.raw_times, data,
                                          uid, gid))
        except ForensicsKitError as exc:
            raise AuditError(f"{self.case}: {evidence_id}: cannot read the image: {exc}") from exc
        return files

    @functools.cache  # noqa: B019
    def directory_times(self, evidence_id: str) -> dict[tuple[int | None, str], int]:
        """``{(partition, path): mtime}`` of every live directory of the image but the root."""
        from forensics_kit.disk import open_image

        out = {}
        try:
            with open_image(self.artefact(evidence_id)) as image:
                for record in image.walk():
                    if record.type == "dir" and record.allocated and not record.path.startswith("/$"):
                        out[(record.partition, record.path)] = record.raw_times[0]
        except ForensicsKitError as exc:
            raise AuditError(f"{self.case}: {evidence_id}: cannot read the image: {exc}") from exc
        return out

    @functools.cache  # noqa: B019
    def disk_modes(self, evidence_id: str) -> dict[tuple[int | None, int], int]:
        """``{(partition, inode): mode}`` (permission and type bits, as istat shows) of ext files."""
        from forensics_kit.disk import open_image, stat_entry

        out = {}
        with open_image(self.artefact(evidence_id)) as image:
            for file in self.disk_files(evidence_id):
                if not file.fs_type.lower().startswith("ext"):
                    continue
                try:
                    out[(file.partition, file.inode)] = int(
                        stat_entry(image, inode=file.inode, partition=file.partition).mode_octal, 8)
                except (ForensicsKitError, OSError, ValueError):
                    continue
        return out

    # -- captures ----------------------------------------------------------------------

    @functools.cache  # noqa: B019
    def packets(self, evidence_id: str) -> list[Packet]:
        """Every IPv4/IPv6 packet of the capture, in file order."""
        from forensics_kit.net.decode import decode
        from forensics_kit.net.reader import CaptureReader

        out = []
        try:
            reader = CaptureReader(self.artefact(evidence_id))
            for number, ts_ns, _length, linktype, data, _iface in reader.records():
                packet = _packet(number, ts_ns, linktype, data, decode)
                if packet is not None:
                    out.append(packet)
        except ForensicsKitError as exc:
            raise AuditError(f"{self.case}: {evidence_id}: cannot read the capture: {exc}") from exc
        return out

    @functools.cache  # noqa: B019
    def flows(self, evidence_id: str) -> dict[tuple, tuple[int, bytes]]:
        """Payload of each direction of each TCP/UDP conversation, in sequence order, with its first frame.

        Keys are ``(proto, src, sport, dst, dport)``; a TCP segment that repeats bytes
        already seen (a retransmission) is skipped.
        """
        flows: dict[tuple, list] = {}
        for p in self.packets(evidence_id):
            if p.sport is None or not p.payload:
                continue
            key = (p.proto, p.src, p.sport, p.dst, p.dport)
            first, parts, next_seq = flows.setdefault(key, [p.number, [], None])
            if p.proto == 6:
                if next_seq is not None and (p.seq - next_seq) % (1 << 32) >= 1 << 31:
                    continue  # starts before what we have: a retransmission
                flows[key][2] = (p.seq + len(p.payload)) % (1 << 32)
            parts.append(p.payload)
        return {key: (first, b"".join(parts)) for key, (first, parts, _) in flows.items()}

    # -- what an examiner searches -----------------------------------------------------

    def blobs(self) -> Iterator[Blob]:
        """Every file of every disk, every archive member inside them, and every flow's payload."""
        for entry in self.entries("disk"):
            for file in self.disk_files(entry["id"]):
                yield from _with_members(Blob(entry["id"], file.path, file.data), 0)
        for entry in self.entries("pcap"):
            for (proto, src, sport, dst, dport), (first, data) in sorted(self.flows(entry["id"]).items(),
                                                                         key=lambda kv: kv[1][0]):
                name = {6: "tcp", 17: "udp"}.get(proto, str(proto))
                yield Blob(entry["id"], f"{name} {src}:{sport} > {dst}:{dport} (frame {first})", data)

    # -- labs --------------------------------------------------------------------------

    def questions(self) -> list[LabQuestion]:
        """Questions of every lab whose evidence comes from this case, with their key entries."""
        if self.course_root is None:
            return []
        out = []
        for lab_file in sorted((self.course_root / "labs").glob("*/lab.yaml")):
            lab = _yaml(lab_file)
            if not any(e.get("dataset") == self.case for e in lab.get("evidence", [])):
                continue
            key_file = self.course_root / "solutions" / lab_file.parent.name / "key.yaml"
            answers = _yaml(key_file).get("answers", {}) if key_file.exists() else {}
            for q in lab.get("questions", []):
                out.append(LabQuestion(lab_file.parent.name, q["id"], q.get("type", ""), q.get("text", {}),
                                       answers.get(q["id"]) or {}))
        return out


def _yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AuditError(f"{path}: not readable: {exc}") from exc
    return data if isinstance(data, dict) else {}


def open_zip(data: bytes) -> zipfile.ZipFile | None:
    """The archive in ``data``, or None when it is not a readable zip."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _with_members(blob: Blob, depth: int) -> Iterator[Blob]:
    yield blob
    archive = open_zip(blob.data) if depth < _MAX_NESTING else None
    if archive is None:
        return
    for info in archive.infolist():
        try:
            data = archive.read(info)
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError):
            continue
        yield from _with_members(Blob(blob.evidence, f"{blob.where}!{info.filename}", data, info), depth + 1)


def _ip_offset(linktype: int, data: bytes) -> int | None:
    """Offset of the IP header in a frame (Ethernet with VLAN tags, cooked, raw IP)."""
    if linktype == 1:
        offset, etype = 14, data[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(data) >= offset + 4:
            etype, offset = data[offset + 2:offset + 4], offset + 4
        return offset if etype in (b"\x08\x00", b"\x86\xdd") else None
    if linktype == 113:
        return 16
    if linktype == 276:
        return 20
    if linktype in (101, 12, 14, 228, 229):
        return 0
    return None


def _packet(number: int, ts_ns: int, linktype: int, data: bytes, decode) -> Packet | None:
    decoded = decode(linktype, data)
    offset = _ip_offset(linktype, data)
    if decoded is None or offset is None or decoded[0] not in (4, 6) or decoded[1] < 0 or len(data) < offset + 20:
        return None
    ipver, proto, src, dst, sport, dport, start, end, seq, flags, _fragment = decoded
    ttl = data[offset + 8] if ipver == 4 else data[offset + 7]
    src_ip, dst_ip = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    group = dst_ip.is_multicast or (ipver == 4 and (dst.endswith(b"\xff") or dst == b"\xff" * 4))
    if linktype == 1:
        group = group or bool(data[0] & 1)
    src_mac = data[6:12].hex(":") if linktype == 1 else ""
    window, options = 0, b""
    if proto == 6:
        header = offset + ((data[offset] & 0x0F) * 4 if ipver == 4 else 40)
        window = int.from_bytes(data[header + 14:header + 16], "big")
        if flags & 0x02:
            options = data[header + 20:start]
    return Packet(number, ts_ns, src_mac, str(src_ip), str(dst_ip), ttl, proto, sport, dport, flags,
                  seq, data[start:end], group, window, options)
