"""Windows event logs (.evtx) read with libevtx: every record's id, time, event id, provider and data.

::

    from forensics_kit.windows import read_events

    for event in read_events(img, "/Windows/System32/winevt/Logs/Security.evtx", event_ids={4625}):
        event.time, event.data["IpAddress"], event.data["TargetUserName"]
"""

from __future__ import annotations

import io
import struct
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from defusedxml import ElementTree

from forensics_kit.errors import EvidenceError
from forensics_kit.windows._source import BACKEND_ERRORS, backend_error, load
from forensics_kit.windows._times import filetime_iso, system_time_iso

_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


@dataclass(frozen=True)
class EventRecord:
    """One event: EventRecordID, TimeCreated (UTC), EventID, provider, channel, computer, user SID and data.

    ``data`` holds the ``EventData`` ``<Data Name=...>`` values (unnamed ones as
    ``param1``, ``param2``...) or, for events that use it (1102, 104), the ``UserData`` fields.
    """

    record_id: int
    time: str | None
    written_time: str | None
    event_id: int
    level: int
    provider: str
    channel: str
    computer: str
    user_sid: str | None
    data: dict[str, str]
    xml: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(xml: str, name: str) -> dict[str, Any]:
    try:
        root = ElementTree.fromstring(xml)
    except Exception as exc:  # defusedxml raises its own and ParseError  # noqa: BLE001
        raise EvidenceError(name, f"event XML is not well-formed: {exc}") from None
    system = root.find(f"{_NS}System")
    out: dict[str, Any] = {"data": {}}
    if system is not None:
        for child in system:
            tag = _local(child.tag)
            if tag == "Provider":
                out["provider"] = child.get("Name", "")
            elif tag == "TimeCreated":
                out["time"] = system_time_iso(child.get("SystemTime"))
            elif tag == "Security":
                out["user_sid"] = child.get("UserID") or None
            elif tag in ("Channel", "Computer"):
                out[tag.lower()] = child.text or ""
    for part in root:
        tag = _local(part.tag)
        if tag == "EventData":
            for index, item in enumerate(part, 1):
                key = item.get("Name") or f"param{index}"
                out["data"][key] = item.text or ""
        elif tag == "UserData":
            for holder in part:
                for item in holder:
                    out["data"][_local(item.tag)] = item.text or ""
    return out


def read_events(source, path: str | None = None, *, name: str | None = None, partition: int | None = None,
                event_ids: Collection[int] | None = None, since: str | None = None,
                until: str | None = None) -> list[EventRecord]:
    """Every record of an .evtx (bytes, local file, or ``path`` in a DiskImage), in file order.

    ``event_ids`` keeps only those EventIDs; ``since``/``until`` (ISO UTC, compared as
    text after normalising) keep records whose TimeCreated lies in ``[since, until]``.

    A file cut short still gives the records its complete part holds (as libevtx
    reads them); one with no readable record at all is an error.

    Raises:
        EvidenceError: not a readable EVTX file, a damaged record (one line, from
            libevtx), or a truncated file with no record left.
    """
    import pyevtx

    data, label = load(source, path, name=name, partition=partition)
    if data[:8] != b"ElfFile\0":
        raise EvidenceError(label, "not an EVTX event log (no ElfFile signature)")
    log = pyevtx.file()
    records: list[EventRecord] = []
    try:
        log.open_file_object(io.BytesIO(data))
        for index in range(log.number_of_records):
            record = log.get_record(index)
            xml = record.xml_string or ""
            parsed = _parse(xml, f"{label}: record {record.identifier}")
            strings = [record.get_string(i) or "" for i in range(record.number_of_strings)]
            if len(strings) == len(parsed["data"]):  # libevtx's strings keep \r\n, which XML parsing folds
                parsed["data"] = dict(zip(parsed["data"], strings, strict=True))
            records.append(EventRecord(
                record.identifier, parsed.get("time") or filetime_iso(record.get_written_time_as_integer()),
                filetime_iso(record.get_written_time_as_integer()), record.event_identifier,
                record.event_level or 0, parsed.get("provider") or record.source_name or "",
                parsed.get("channel") or "", parsed.get("computer") or record.computer_name or "",
                parsed.get("user_sid") or record.user_security_identifier, parsed["data"], xml))
    except BACKEND_ERRORS as exc:
        raise backend_error(label, exc) from None
    finally:
        try:
            log.close()
        except BACKEND_ERRORS:
            pass
    chunks = struct.unpack_from("<H", data, 42)[0] if len(data) >= 44 else 0
    if not records and len(data) < 4096 + chunks * 65536:
        raise EvidenceError(label, f"truncated: the header declares {chunks} chunk(s) of 64 KiB "
                                   f"but the file has {len(data)} bytes, and no record could be read")
    low, high = _bound(since), _bound(until, upper=True)
    return [r for r in records
            if (event_ids is None or r.event_id in event_ids)
            and (low is None or _sort_key(r.time) >= low) and (high is None or _sort_key(r.time) <= high)]


def _sort_key(time: str | None) -> str:
    """``...T14:02:11.1234Z`` -> ``...T14:02:11.123400000``: ISO times of any precision then compare as text."""
    if not time:
        return ""
    base, _, fraction = time.rstrip("Z").partition(".")
    return f"{base}.{fraction.ljust(9, '0')}"


def _bound(text: str | None, upper: bool = False) -> str | None:
    """A --from/--to bound as a sort key; a bound without a fraction covers its whole second (a date: its day)."""
    if not text:
        return None
    from datetime import UTC

    from forensics_kit.timefmt import parse_iso

    text = text.strip()
    try:
        when = parse_iso(text + ("T23:59:59" if upper and len(text) == 10 else "")).astimezone(UTC)
    except ValueError:
        raise EvidenceError(text, "not an ISO 8601 time") from None
    base = when.strftime("%Y-%m-%dT%H:%M:%S")
    return base + (".999999999" if upper and "." not in text else f".{when.microsecond:06d}000")
