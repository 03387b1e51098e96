"""SOCKS4/4a/5 CONNECT tunnels: the handshake is stripped so HTTP and TLS parsing see the payload.

A client behind a SOCKS proxy (a browser configured for one, malware using Tor's SOCKS
port) opens a TCP connection to the proxy, asks it to CONNECT to the real server, and
then speaks HTTP or TLS on the same connection. tshark decodes the handshake and hands
what follows to the protocol of the destination port; :class:`SocksUnwrap` does the
same for any stream sink: it sits between a
:class:`~forensics_kit.net.tcpstream.TcpReassembler` and the sink, recognises a
complete, consistent handshake at the start of each direction (checked byte by byte,
so HTTP, TLS or anything else passes through untouched) and forwards only the bytes
after it.
"""

from __future__ import annotations

from forensics_kit.net.tcpstream import HalfKey, StreamSink

MAX_HANDSHAKE = 1024  # a longer start is not a SOCKS handshake
_ADDR = {1: 4, 4: 16}  # SOCKS5 address types with a fixed length (3: a name, its length first)


def _socks5_address(buf: bytes, pos: int) -> int | None:
    """Position after ATYP, address and port at ``pos``; -1 when invalid, None when short."""
    if len(buf) < pos + 2:
        return None
    atyp = buf[pos]
    if atyp in _ADDR:
        end = pos + 1 + _ADDR[atyp] + 2
    elif atyp == 3:
        end = pos + 2 + buf[pos + 1] + 2
    else:
        return -1
    return end if len(buf) >= end else None


def client_handshake(buf: bytes) -> int | None:
    """Length of a SOCKS client handshake (greeting, login, CONNECT) at the start of ``buf``.

    0 when ``buf`` does not start with one, None when more bytes are needed.
    """
    if not buf:
        return None
    if buf[0] == 4:  # SOCKS4: VN CD DSTPORT DSTIP USERID NUL [HOST NUL when DSTIP is 0.0.0.x]
        if len(buf) < 2:
            return None
        if buf[1] != 1:
            return 0
        end = buf.find(b"\0", 8)
        if end < 0:
            return None if len(buf) < 8 + 256 else 0
        if len(buf) >= 8 and buf[4:7] == b"\0\0\0" and buf[7]:
            host_end = buf.find(b"\0", end + 1)
            if host_end < 0:
                return None if len(buf) < end + 257 else 0
            end = host_end
        return end + 1
    if buf[0] != 5:
        return 0
    if len(buf) < 2:
        return None
    methods = buf[1]
    if not 1 <= methods <= 16:
        return 0
    pos = 2 + methods
    if len(buf) < pos + 1:
        return None
    if buf[pos] == 1:  # username/password login (RFC 1929)
        if len(buf) < pos + 2:
            return None
        ulen = buf[pos + 1]
        if len(buf) < pos + 3 + ulen:
            return None
        pos += 3 + ulen + buf[pos + 2 + ulen]
    if len(buf) < pos + 4:
        return None
    if buf[pos] != 5 or buf[pos + 1] != 1 or buf[pos + 2] != 0:  # VER CMD=CONNECT RSV
        return 0
    end = _socks5_address(buf, pos + 3)
    return None if end is None else max(end, 0)


def server_handshake(buf: bytes) -> int | None:
    """Length of a SOCKS server's answers (method, login status, CONNECT reply); 0 or None as above."""
    if not buf:
        return None
    if buf[0] == 0:  # SOCKS4 reply: VN=0 CD(90-93) DSTPORT DSTIP
        if len(buf) < 2:
            return None
        return (8 if len(buf) >= 8 else None) if 0x5A <= buf[1] <= 0x5D else 0
    if buf[0] != 5:
        return 0
    if len(buf) < 2:
        return None
    pos = 2
    if buf[1] == 2:  # the server chose username/password: its status comes next
        if len(buf) < 4:
            return None
        if buf[2] != 1:
            return 0
        pos = 4
    elif buf[1] not in (0, 1) and buf[1] < 0x80:
        return 0
    if len(buf) < pos + 4:
        return None
    if buf[pos] != 5 or buf[pos + 2] != 0:
        return 0
    end = _socks5_address(buf, pos + 3)
    return None if end is None else max(end, 0)


class SocksUnwrap:
    """A stream sink in front of another: drops SOCKS handshakes, forwards everything else."""

    def __init__(self, sink: StreamSink) -> None:
        self.sink = sink
        self.waiting: dict[HalfKey, bytes] = {}  # start of a direction, not yet judged
        self.judged: set[HalfKey] = set()
        self.tunnels = 0  # directions whose handshake was stripped
        forget = getattr(sink, "forget", None)
        if forget is not None:
            self.forget = self._forget

    def _forget(self, key: HalfKey) -> None:
        self.judged.discard(key)
        self.sink.forget(key)

    def data(self, key: HalfKey, payload: bytes, frame: int, ts_ns: int) -> None:
        if key in self.judged:
            self.sink.data(key, payload, frame, ts_ns)
            return
        buf = self.waiting.pop(key, b"") + payload
        size = client_handshake(buf)
        if size == 0:
            size = server_handshake(buf)
        if size is None and len(buf) < MAX_HANDSHAKE:
            self.waiting[key] = buf
            return
        self.judged.add(key)
        if size:
            self.tunnels += 1
            buf = buf[size:]
        if buf:
            self.sink.data(key, buf, frame, ts_ns)

    def _release(self, key: HalfKey, frame: int, ts_ns: int) -> None:
        buf = self.waiting.pop(key, b"")
        self.judged.add(key)
        if buf:
            self.sink.data(key, buf, frame, ts_ns)

    def gap(self, key: HalfKey, missing: int, frame: int) -> None:
        self._release(key, frame, 0)
        self.sink.gap(key, missing, frame)

    def close(self, key: HalfKey, frame: int, ts_ns: int) -> None:
        self._release(key, frame, ts_ns)
        self.sink.close(key, frame, ts_ns)
