"""Windows XML event logs (EVTX 3.1) written byte for byte, with templates and substitutions.

Format followed: Joachim Metz, "Windows XML Event Log (EVTX) format"
(libyal/libevtx, documentation/Windows XML Event Log (EVTX).asciidoc) and
Microsoft's [MS-EVEN6] binary XML:

- a 4096-byte file header ("ElfFile", first/last chunk, next record id, version 3.1,
  chunk count, CRC32 of its first 120 bytes);
- 64 KiB chunks ("ElfChnk", first/last record number and id, last record and free
  space offsets, CRC32 of the records and of the header), each with its own common
  string table (64 buckets) and template table (32 buckets);
- records ("**", size, EventRecordID, written FILETIME, binary XML, size again)
  whose binary XML is a fragment holding one template instance: the first record of
  a shape in a chunk defines the template (elements, attribute and name strings
  inline), later ones point at it; every variable (EventID, TimeCreated SystemTime,
  EventRecordID, Computer, Security UserID, each EventData ``Data Name=...`` or
  UserData value) is a typed substitution, optional ones (UserID, Guid, Qualifiers)
  are left out when empty, as Windows writes them.

Simplified against Windows: the template is made from the event's shape (one per
provider, EventID and data names in a chunk, as a manifest template is one per event
definition) rather than taken from the provider's manifest, and classic providers'
EventData is not nested as a BinXml-typed substitution; no Binary element, no
Correlation ActivityID. Readers (libevtx, evtxexport) show the same XML either way.

::

    log = EventLog()
    log.add(security_event(4624, when, "WS01", {"TargetUserName": "anna", "LogonType": 10,
                                                  "IpAddress": "203.0.113.7"}))
    log.write("Security.evtx")
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from forensics_kit.builder.windows._common import filetime, guid_bytes, sid_bytes

CHUNK_SIZE = 65536
_CHUNK_HEADER = 512
_EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
_EVENTLOG_NS = "http://manifests.microsoft.com/win/2004/08/windows/eventlog"

# value types ([MS-EVEN6] 2.2.12)
NULL, STRING, UINT8, UINT16, UINT32, UINT64, GUID, FILETIME, SID, HEXINT32, HEXINT64 = (
    0x00, 0x01, 0x04, 0x06, 0x08, 0x0A, 0x0F, 0x11, 0x13, 0x14, 0x15)


@dataclass(frozen=True)
class Sid:
    """A value written as an NT security identifier (``S-1-5-18``)."""

    text: str


@dataclass(frozen=True)
class Hex:
    """An integer shown in hexadecimal (``0x3e7``): HexInt64 unless ``bits=32``."""

    number: int
    bits: int = 64


@dataclass(frozen=True)
class Guid:
    """A value written as a GUID (``{...}``)."""

    text: str


DataValue = str | int | Sid | Hex | Guid | None


def _typed(value: DataValue) -> tuple[int, bytes]:
    """(value type, bytes) of a substitution value."""
    if value is None:
        return NULL, b""
    if isinstance(value, Sid):
        return SID, sid_bytes(value.text)
    if isinstance(value, Guid):
        return GUID, guid_bytes(value.text)
    if isinstance(value, Hex):
        return (HEXINT32, struct.pack("<I", value.number)) if value.bits == 32 else (
            HEXINT64, struct.pack("<Q", value.number))
    if isinstance(value, bool):
        return UINT32, struct.pack("<I", int(value))
    if isinstance(value, int):
        return (UINT32, struct.pack("<I", value)) if 0 <= value < 1 << 32 else (UINT64, struct.pack("<Q", value))
    return STRING, str(value).encode("utf-16-le")


@dataclass
class Event:
    """One event as Windows records it; ``record_id`` is given by the log it is added to.

    ``data`` are the ``EventData`` ``<Data Name=...>`` values in order; with
    ``user_data`` (element name, namespace) they go under ``UserData`` instead, as
    the Eventlog service writes 1102 and 104.
    """

    event_id: int
    time: datetime
    computer: str
    provider: str
    channel: str
    data: dict[str, DataValue] = field(default_factory=dict)
    provider_guid: str | None = None
    event_source: str | None = None
    qualifiers: int | None = None
    version: int = 0
    level: int = 0
    task: int = 0
    opcode: int = 0
    keywords: int = 0x8020000000000000
    process_id: int = 4
    thread_id: int = 8
    user_sid: str | None = None
    user_data: tuple[str, str] | None = None
    record_id: int = 0
    ticks: int = 0  # 100 ns units past ``time`` (Windows stamps events to 100 ns)

    @property
    def stamp(self) -> int:
        """The event's FILETIME: ``time`` plus ``ticks``."""
        return filetime(self.time) + self.ticks


SECURITY = ("Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}")
EVENTLOG = ("Microsoft-Windows-Eventlog", "{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}")
SCM = ("Service Control Manager", "{555908D1-A6D7-4695-8E1E-26931D2012F4}")

# event id -> (version, task, keywords) as Windows 10 logs them
_SECURITY_EVENTS = {
    4624: (2, 12544, 0x8020000000000000), 4625: (0, 12544, 0x8010000000000000),
    4634: (0, 12545, 0x8020000000000000), 4672: (0, 12548, 0x8020000000000000),
    4720: (0, 13824, 0x8020000000000000), 4732: (0, 13826, 0x8020000000000000),
}


def security_event(event_id: int, time: datetime, computer: str, data: dict[str, DataValue],
                   process_id: int = 716, thread_id: int = 780) -> Event:
    """A Security-channel event (4624, 4625, 4634, 4672, 4720, 4732; 1102 is :func:`log_cleared`)."""
    if event_id == 1102:
        return log_cleared(time, computer, data, channel="Security")
    version, task, keywords = _SECURITY_EVENTS.get(event_id, (0, 0, 0x8020000000000000))
    return Event(event_id, time, computer, SECURITY[0], "Security", dict(data), provider_guid=SECURITY[1],
                 version=version, task=task, keywords=keywords, process_id=process_id, thread_id=thread_id)


def log_cleared(time: datetime, computer: str, data: dict[str, DataValue], channel: str = "Security") -> Event:
    """1102 (Security log cleared) or, with ``channel="System"``, 104 (another log cleared), as UserData."""
    if channel == "Security":
        return Event(1102, time, computer, EVENTLOG[0], "Security", dict(data), provider_guid=EVENTLOG[1],
                     level=4, task=104, keywords=0x4020000000000000, user_data=("LogFileCleared", _EVENTLOG_NS))
    return Event(104, time, computer, EVENTLOG[0], "System", dict(data), provider_guid=EVENTLOG[1], level=4,
                 task=104, keywords=0x8000000000000000, user_data=("LogFileCleared", _EVENTLOG_NS),
                 user_sid="S-1-5-18")


def system_event(event_id: int, time: datetime, computer: str, data: dict[str, DataValue] | None = None,
                 user_sid: str | None = "S-1-5-18") -> Event:
    """A System-channel event: 7045 (service installed), 6005/6006 (event log started/stopped), 104."""
    data = dict(data or {})
    if event_id == 104:
        return log_cleared(time, computer, data, channel="System")
    if event_id == 7045:
        return Event(7045, time, computer, SCM[0], "System", data, provider_guid=SCM[1], event_source=SCM[0],
                     qualifiers=16384, level=4, keywords=0x8080000000000000, user_sid=user_sid,
                     process_id=648, thread_id=652)
    if event_id in (6005, 6006):
        return Event(event_id, time, computer, "EventLog", "System", data, qualifiers=32768, level=4,
                     keywords=0x0080000000000000, process_id=0, thread_id=0)
    return Event(event_id, time, computer, "EventLog", "System", data, level=4, keywords=0x0080000000000000)


# ----------------------------------------------------------------------------- binary XML

@dataclass
class _Sub:
    index: int
    kind: int
    optional: bool = False


@dataclass
class _Element:
    name: str
    attrs: list[tuple[str, str | _Sub]] = field(default_factory=list)
    children: list[_Element | str | _Sub] = field(default_factory=list)


def _shape(event: Event) -> tuple[_Element, list[DataValue | tuple[int, bytes]]]:
    """The template tree of an event and its substitution values, in substitution order."""
    values: list[DataValue | tuple[int, bytes]] = []

    def sub(value: DataValue | tuple[int, bytes], kind: int, optional: bool = False) -> _Sub:
        values.append(value)
        return _Sub(len(values) - 1, kind, optional)

    provider = _Element("Provider", [("Name", sub(event.provider, STRING))])
    if event.provider_guid:
        provider.attrs.append(("Guid", sub(Guid(event.provider_guid), GUID, True)))
    if event.event_source:
        provider.attrs.append(("EventSourceName", sub(event.event_source, STRING, True)))
    event_id = _Element("EventID", children=[sub((UINT16, struct.pack("<H", event.event_id)), UINT16)])
    if event.qualifiers is not None:
        event_id.attrs.append(("Qualifiers", sub((UINT16, struct.pack("<H", event.qualifiers)), UINT16, True)))
    system = _Element("System", children=[
        provider, event_id,
        _Element("Version", children=[sub((UINT8, bytes([event.version])), UINT8)]),
        _Element("Level", children=[sub((UINT8, bytes([event.level])), UINT8)]),
        _Element("Task", children=[sub((UINT16, struct.pack("<H", event.task)), UINT16)]),
        _Element("Opcode", children=[sub((UINT8, bytes([event.opcode])), UINT8)]),
        _Element("Keywords", children=[sub(Hex(event.keywords), HEXINT64)]),
        _Element("TimeCreated", [("SystemTime", sub((FILETIME, struct.pack("<Q", event.stamp)), FILETIME))]),
        _Element("EventRecordID", children=[sub((UINT64, struct.pack("<Q", event.record_id)), UINT64)]),
        _Element("Correlation"),
        _Element("Execution", [("ProcessID", sub(event.process_id, UINT32)),
                               ("ThreadID", sub(event.thread_id, UINT32))]),
        _Element("Channel", children=[sub(event.channel, STRING)]),
        _Element("Computer", children=[sub(event.computer, STRING)]),
        _Element("Security", [("UserID", sub(Sid(event.user_sid) if event.user_sid else None, SID, True))]),
    ])
    if event.user_data:
        name, namespace = event.user_data
        inner = _Element(name, [("xmlns", namespace)],
                         [_Element(k, children=[sub(v, _typed(v)[0])]) for k, v in event.data.items()])
        payload = _Element("UserData", children=[inner])
    else:
        payload = _Element("EventData", children=[
            _Element("Data", [("Name", k)], [sub(v, _typed(v)[0])]) for k, v in event.data.items()])
    return _Element("Event", [("xmlns", _EVENT_NS)], [system, payload]), values


def _template_key(tree: _Element) -> tuple:
    def key(node: _Element | str | _Sub) -> tuple:
        if isinstance(node, str):
            return ("t", node)
        if isinstance(node, _Sub):
            return ("s", node.index, node.kind, node.optional)
        return (node.name, tuple((n, key(v) if isinstance(v, _Sub) else v) for n, v in node.attrs),
                tuple(key(c) for c in node.children))
    return key(tree)


def _name_hash(name: str) -> int:
    value = 0
    for unit in struct.unpack(f"<{len(name.encode('utf-16-le')) // 2}H", name.encode("utf-16-le")):
        value = (value * 65599 + unit) & 0xFFFFFFFF
    return value & 0xFFFF


class _Chunk:
    """One 64 KiB chunk being filled with records."""

    def __init__(self) -> None:
        self.buf = bytearray(_CHUNK_HEADER)
        self.names: dict[str, int] = {}
        self.templates: dict[tuple, int] = {}
        self.string_table = [0] * 64
        self.template_table = [0] * 32
        self.records: list[tuple[int, int]] = []  # (record id, offset)

    def state(self) -> tuple:
        return (len(self.buf), dict(self.names), dict(self.templates), list(self.string_table),
                list(self.template_table))

    def restore(self, state: tuple) -> None:
        size, self.names, self.templates, self.string_table, self.template_table = state
        del self.buf[size:]

    def _name(self, name: str) -> None:
        """The 4-byte offset of a name, followed by the name itself the first time the chunk uses it."""
        offset = self.names.get(name)
        if offset is not None:
            self.buf += struct.pack("<I", offset)
            return
        offset = len(self.buf) + 4
        self.buf += struct.pack("<I", offset)
        name_hash = _name_hash(name)
        bucket = name_hash % 64
        self.buf += struct.pack("<IHH", self.string_table[bucket], name_hash, len(name)) + name.encode(
            "utf-16-le") + b"\0\0"
        self.string_table[bucket] = offset
        self.names[name] = offset

    def _content(self, node: str | _Sub, more: bool = False) -> None:
        if isinstance(node, _Sub):
            self.buf += struct.pack("<BHB", 0x0E if node.optional else 0x0D, node.index, node.kind)
        else:
            self.buf += struct.pack("<BBH", 0x45 if more else 0x05, STRING, len(node)) + node.encode("utf-16-le")

    def _element(self, element: _Element) -> None:
        start = len(self.buf)
        self.buf += struct.pack("<BHI", 0x41 if element.attrs else 0x01, 0xFFFF, 0)
        self._name(element.name)
        if element.attrs:
            list_start = len(self.buf)
            self.buf += b"\0\0\0\0"
            for index, (name, value) in enumerate(element.attrs):
                self.buf.append(0x46 if index < len(element.attrs) - 1 else 0x06)
                self._name(name)
                self._content(value)
            struct.pack_into("<I", self.buf, list_start, len(self.buf) - list_start - 4)
        if element.children:
            self.buf.append(0x02)
            for child in element.children:
                if isinstance(child, _Element):
                    self._element(child)
                else:
                    self._content(child)
            self.buf.append(0x04)
        else:
            self.buf.append(0x03)
        struct.pack_into("<I", self.buf, start + 3, len(self.buf) - start - 7)

    def add(self, event: Event) -> None:
        """Append one record (raises OverflowError when it does not fit; the chunk is then unchanged)."""
        state = self.state()
        start = len(self.buf)
        tree, values = _shape(event)
        self.buf += struct.pack("<4sIQQ", b"**\0\0", 0, event.record_id, event.stamp)
        self.buf += b"\x0f\x01\x01\x00"
        key = _template_key(tree)
        template_guid = uuid.uuid5(uuid.NAMESPACE_OID, repr(key))
        template_id = struct.unpack("<I", template_guid.bytes_le[:4])[0]
        self.buf += struct.pack("<BBI", 0x0C, 0x01, template_id)
        if key in self.templates:
            self.buf += struct.pack("<I", self.templates[key])
        else:
            definition = len(self.buf) + 4
            self.buf += struct.pack("<I", definition)
            bucket = template_id % 32
            self.buf += struct.pack("<I", self.template_table[bucket]) + template_guid.bytes_le + b"\0\0\0\0"
            self.template_table[bucket] = definition
            self.buf += b"\x0f\x01\x01\x00"
            self._element(tree)
            self.buf.append(0x00)
            struct.pack_into("<I", self.buf, definition + 20, len(self.buf) - definition - 24)
            self.templates[key] = definition
        typed = [v if isinstance(v, tuple) else _typed(v) for v in values]
        self.buf += struct.pack("<I", len(typed)) + b"".join(struct.pack("<HBB", len(d), t, 0)
                                                               for t, d in typed)
        self.buf += b"".join(d for _, d in typed)
        self.buf.append(0x00)
        self.buf += b"\0" * (-(len(self.buf) - start + 4) % 8)
        size = len(self.buf) - start + 4
        self.buf += struct.pack("<I", size)
        struct.pack_into("<I", self.buf, start + 4, size)
        if len(self.buf) > CHUNK_SIZE:
            self.restore(state)
            raise OverflowError("chunk full")
        self.records.append((event.record_id, start))

    def to_bytes(self) -> bytes:
        first, last = self.records[0][0], self.records[-1][0]
        free = len(self.buf)
        header = bytearray(self.buf[:_CHUNK_HEADER])
        struct.pack_into("<8sQQQQIIII", header, 0, b"ElfChnk\0", first, last, first, last, 128,
                         self.records[-1][1], free, zlib.crc32(self.buf[_CHUNK_HEADER:free]))
        struct.pack_into("<64I", header, 128, *self.string_table)
        struct.pack_into("<32I", header, 384, *self.template_table)
        struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120]) + bytes(header[128:512])))
        return bytes(header) + bytes(self.buf[_CHUNK_HEADER:]) + bytes(CHUNK_SIZE - free)


class EventLog:
    """An .evtx file being written: events get EventRecordIDs in the order they are added.

    Args:
        first_record_id: the EventRecordID of the first event (a log that was cleared
            or wrapped starts higher than 1).
    """

    def __init__(self, first_record_id: int = 1) -> None:
        self.events: list[Event] = []
        self.first_record_id = first_record_id

    def add(self, event: Event) -> Event:
        """Add an event; its ``record_id`` is set. Events must be added in time order.

        An event given to the whole second gets the sub-second part a Windows clock
        would have stamped (100 ns units, drawn from the record itself so builds
        repeat), kept after the event before it: no real log has every time at .0000000.
        """
        if self.events and event.time < self.events[-1].time:
            raise ValueError(f"event {event.event_id} at {event.time} is earlier than the one before it")
        event.record_id = self.first_record_id + len(self.events)
        if not event.ticks and not event.time.microsecond:
            key = f"{event.computer}/{event.channel}/{event.record_id}/{event.event_id}/{event.time.isoformat()}"
            event.ticks = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 10_000_000
            if self.events and event.stamp <= self.events[-1].stamp:
                event.ticks = self.events[-1].stamp - filetime(event.time) + 1 + event.ticks % 9973
        self.events.append(event)
        return event

    def to_bytes(self) -> bytes:
        """The whole file: header and chunks."""
        chunks = [_Chunk()]
        for event in self.events:
            try:
                chunks[-1].add(event)
            except OverflowError:
                if not chunks[-1].records:
                    raise ValueError(f"event {event.record_id} is larger than a chunk") from None
                chunks.append(_Chunk())
                chunks[-1].add(event)
        if not chunks[-1].records:
            chunks = []
        header = bytearray(4096)
        next_id = self.first_record_id + len(self.events)
        struct.pack_into("<8sQQQIHHHH", header, 0, b"ElfFile\0", 0, max(len(chunks) - 1, 0), next_id, 128, 1, 3,
                         4096, len(chunks))
        struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
        return bytes(header) + b"".join(c.to_bytes() for c in chunks)

    def write(self, path: str | Path) -> Path:
        """Write the log to ``path`` and return it."""
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path
