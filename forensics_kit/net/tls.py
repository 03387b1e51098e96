"""TLS handshake metadata per connection: SNI, versions, JA3/JA3S, ALPN, server certificate.

TLS is recognised on any TCP port by its record header (content type 22,
version 3.x), not by port. Each direction is reassembled (:mod:`.tcpstream`),
records are unwrapped and handshake messages are rebuilt across records and
segments, so a ClientHello or certificate chain cut into many pieces reads
whole. ``frame`` is the frame where the ClientHello completes, as tshark
reports it. Parsing stops at ChangeCipherSpec or application data: after that
everything is encrypted. In TLS 1.3 the certificate travels encrypted, so
``cert_note`` says so instead of leaving the fields silently empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from forensics_kit.net.decode import addr_text, decode, link_warnings
from forensics_kit.net.fragments import defragment
from forensics_kit.net.reader import CaptureReader, iso_ns
from forensics_kit.net.socks import SocksUnwrap
from forensics_kit.net.tcpstream import HalfKey, TcpReassembler
from forensics_kit.net.tls_wire import (
    first_certificate,
    md5,
    parse_certificate,
    parse_client_hello,
    parse_server_hello,
    version_name,
)

MAX_RECORD = (1 << 14) + 2048
MAX_HANDSHAKE = 1 << 20  # a handshake message over 1 MiB is not a real hello/certificate chain


@dataclass(slots=True)
class TlsSession:
    """One TLS connection's handshake, as far as it is visible on the wire."""

    frame: int
    time: str | None
    client: str
    cport: int
    server: str
    sport: int
    stream: int
    sni: str | None = None
    versions: list[str] = field(default_factory=list)
    version: str | None = None
    cipher_suites: list[str] = field(default_factory=list)
    cipher: str | None = None
    alpn: list[str] = field(default_factory=list)
    ja3: str | None = None
    ja3_hash: str | None = None
    ja3s: str | None = None
    ja3s_hash: str | None = None
    server_frame: int | None = None
    cert_frame: int | None = None
    cert_subject: str | None = None
    cert_issuer: str | None = None
    cert_serial: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    cert_sans: list[str] = field(default_factory=list)
    cert_sha256: str | None = None
    cert_note: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {name: (list(value) if isinstance(value, list) else value)
                for name in self.__slots__ for value in (getattr(self, name),)}


def _iso(ts_ns: int) -> str | None:
    return iso_ns(ts_ns)


class _Half:
    __slots__ = ("records", "handshake", "done")

    def __init__(self) -> None:
        self.records = bytearray()
        self.handshake = bytearray()
        self.done = False


class _TlsSink:
    """Unwraps records and handshake messages of every direction it is fed."""

    def __init__(self, streams: dict[tuple, int]) -> None:
        self.streams = streams
        self.halves: dict[HalfKey, _Half] = {}
        self.sessions: dict[tuple, TlsSession] = {}

    @staticmethod
    def conn(key: HalfKey) -> tuple:
        a, b = (key[0], key[1]), (key[2], key[3])
        return (a, b) if a <= b else (b, a)

    def is_done(self, key: HalfKey) -> bool:
        half = self.halves.get(key)
        return half is not None and half.done

    def data(self, key: HalfKey, payload: bytes, frame: int, ts_ns: int) -> None:
        half = self.halves.get(key)
        if half is None:
            half = self.halves[key] = _Half()
            if payload[:1] != b"\x16" or payload[1:2] not in (b"\x03", b""):
                half.done = True  # not a TLS handshake start: not ours
        if half.done:
            return
        buf = half.records
        buf += payload
        while len(buf) >= 5 and not half.done:
            ctype, major, length = buf[0], buf[1], (buf[3] << 8) | buf[4]
            if major != 3 or ctype not in (20, 21, 22, 23, 24) or length > MAX_RECORD:
                half.done = True
                break
            if len(buf) < 5 + length:
                return
            if ctype == 22:
                half.handshake += buf[5 : 5 + length]
                self._messages(key, half, frame, ts_ns)
            elif ctype in (20, 23):  # ChangeCipherSpec / application data: encrypted from here
                half.done = True
            del buf[: 5 + length]
        if half.done:
            half.records = bytearray()
            half.handshake = bytearray()

    def _messages(self, key: HalfKey, half: _Half, frame: int, ts_ns: int) -> None:
        hs = half.handshake
        while len(hs) >= 4 and not half.done:
            mtype, size = hs[0], int.from_bytes(hs[1:4], "big")
            if size > MAX_HANDSHAKE:
                half.done = True
                return
            if len(hs) < 4 + size:
                return
            body = bytes(hs[4 : 4 + size])
            del hs[: 4 + size]
            self._message(key, half, mtype, body, frame, ts_ns)

    def _session(self, key: HalfKey, client_side: bool, frame: int, ts_ns: int) -> TlsSession:
        conn = self.conn(key)
        session = self.sessions.get(conn)
        if session is None:
            src, sport, dst, dport = key if client_side else (key[2], key[3], key[0], key[1])
            session = TlsSession(frame=frame, time=_iso(ts_ns), client=addr_text(src), cport=sport,
                                 server=addr_text(dst), sport=dport, stream=self.streams.get(conn, -1))
            self.sessions[conn] = session
        return session

    def _message(self, key: HalfKey, half: _Half, mtype: int, body: bytes, frame: int,
                 ts_ns: int) -> None:
        if mtype == 1:
            hello = parse_client_hello(body)
            half.done = True  # nothing else the client sends in clear matters here
            if hello is None:
                return
            session = self._session(key, True, frame, ts_ns)
            session.frame, session.time = frame, _iso(ts_ns)
            session.sni, session.alpn = hello.sni, hello.alpn
            offered = [hello.version] + [v for v in hello.supported_versions if v != hello.version]
            session.versions = [version_name(v) for v in offered if (v & 0x0F0F) != 0x0A0A]
            session.cipher_suites = [f"0x{c:04x}" for c in hello.ciphers]
            session.ja3 = hello.ja3_string()
            session.ja3_hash = md5(session.ja3)
        elif mtype == 2:
            hello = parse_server_hello(body)
            if hello is None:
                half.done = True
                return
            session = self._session(key, False, frame, ts_ns)
            session.server_frame = frame
            chosen = hello.supported_versions[0] if hello.supported_versions else hello.version
            session.version = version_name(chosen)
            session.cipher = f"0x{hello.ciphers[0]:04x}" if hello.ciphers else None
            session.ja3s = hello.ja3s_string()
            session.ja3s_hash = md5(session.ja3s)
            if chosen >= 0x0304:
                session.cert_note = "TLS 1.3: the certificate is encrypted, not visible in the capture"
                half.done = True
        elif mtype == 11:
            session = self._session(key, False, frame, ts_ns)
            half.done = True
            der = first_certificate(body)
            if der is None:
                session.cert_note = "Certificate message holds no certificate"
                return
            info = parse_certificate(der)
            session.cert_frame = frame
            session.cert_subject, session.cert_issuer = info.subject, info.issuer
            session.cert_serial, session.cert_sans = info.serial, info.sans
            session.not_before, session.not_after = info.not_before, info.not_after
            session.cert_sha256 = info.sha256
            session.cert_note = info.problem
        elif mtype in (14, 20):  # ServerHelloDone / Finished: no certificate will come in clear
            session = self.sessions.get(self.conn(key))
            if session is not None and session.cert_frame is None and session.cert_note is None:
                session.cert_note = "no certificate sent (resumed session or anonymous key exchange)"
            half.done = True

    def gap(self, key: HalfKey, missing: int, frame: int) -> None:
        half = self.halves.get(key)
        if half is not None:
            half.done = True

    def close(self, key: HalfKey, frame: int, ts_ns: int) -> None:
        """Nothing to complete: a half-read handshake message is dropped."""


def tls_sessions(path: str | Path, warnings: list[str] | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> list[TlsSession]:
    """Return every TLS connection of a capture whose handshake is visible, in frame order.

    ``stream`` numbers TCP connections from 0 in order of their first packet,
    like tshark's ``tcp.stream``. ``progress(step, frames_done, 0)`` is called
    every 50,000 frames.
    """
    reader = CaptureReader(path)
    return sorted(_iterate(reader, warnings, progress), key=lambda s: s.frame)


def _iterate(reader: CaptureReader, warnings: list[str] | None,
             progress: Callable[[str, int, int], None] | None) -> Iterator[TlsSession]:
    streams: dict[tuple, int] = {}
    sink = _TlsSink(streams)
    tcp = TcpReassembler(SocksUnwrap(sink))  # TLS through a SOCKS proxy too
    finished: set[tuple] = set()
    halves = sink.halves
    for number, ts_ns, _, linktype, data, _ in defragment(reader.records()):
        if progress is not None and number % 50_000 == 0:
            progress("tls", number, 0)
        d = decode(linktype, data)
        if d is None or d[1] != 6 or d[4] is None:
            continue
        key = (d[2], d[4], d[3], d[5])
        a, b = (d[2], d[4]), (d[3], d[5])
        conn = (a, b) if a <= b else (b, a)
        if conn not in streams:
            streams[conn] = len(streams)
        elif conn in finished:
            continue
        half = halves.get(key)
        if half is not None and half.done:
            other = halves.get((d[3], d[5], d[2], d[4]))
            if other is not None and other.done:
                finished.add(conn)
            continue
        tcp.feed(key, d[8], d[9], data[d[6] : d[7]], number, ts_ns)
    tcp.flush()
    if warnings is not None:
        warnings.extend(reader.warnings + link_warnings(reader.link_counts))
    yield from sink.sessions.values()
