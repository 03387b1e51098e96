"""A TLS connection as a browser opens it: real handshake messages, encrypted-looking records after.

Each client program writes its own ClientHello (SNI, groups, point formats,
signature algorithms, ALPN, supported versions) so JA3 fingerprints make sense;
the JA3 and JA3S strings are computed here from exactly what is written.
Chrome (and Edge, the same BoringSSL) writes it as Chrome 120 does in 2024:
GREASE values (RFC 8701) in the cipher suites, groups, key shares, versions and
two extensions, its extensions in a new random order on every connection (Chrome
110+, so its JA3 changes while the set stays), ALPN h2/http1.1, brotli
certificate compression, ALPS for h2, an ECH GREASE extension, an X25519 key
share, and BoringSSL's padding when the hello would be 256-511 bytes long. In TLS 1.2
the server's certificate chain is in clear (a real X.509 certificate for the
server name, Ed25519-signed, so bytes are deterministic); in TLS 1.3 it is
encrypted and only the truth knows it. Randoms, session ids, keys and the
"encrypted" records come from the session's seeded generator.
"""

from __future__ import annotations

import hashlib
import struct

from forensics_kit.builder.traffic.dialogue import Dialogue
from forensics_kit.builder.traffic.sessions import Frames, Path, Session
from forensics_kit.builder.traffic.tls_cert import make_chain
from forensics_kit.errors import RecipeError

CLIENT_CIPHERS = [0x1301, 0x1303, 0x1302, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC02C, 0xC030, 0xC00A, 0xC009,
                  0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
GROUPS = [0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101]
SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201]
VERSIONS = {"1.2": 0x0303, "1.3": 0x0304}
# ClientHello of each TLS client program: cipher suites, extensions in its order, groups, default ALPN.
# Different programs have different JA3s: an implant's must not be apt's, or the IOC fires on every update.
CLIENTS: dict[str, tuple[list[int], list[int], list[int], list[str]]] = {
    "firefox": (CLIENT_CIPHERS, [0, 23, 65281, 10, 11, 35, 16, 5, 13, 51, 43, 45], GROUPS, ["h2", "http/1.1"]),
    "curl": ([0x1302, 0x1303, 0x1301, 0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA, 0xC02B, 0xC02F, 0x009E,
              0xC024, 0xC028, 0x006B, 0xC023, 0xC027, 0x0067, 0xC00A, 0xC014, 0x0039, 0xC009, 0xC013, 0x0033,
              0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x00FF],  # OpenSSL 3.0
             [0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51], [0x001D, 0x0017, 0x001E, 0x0019, 0x0018],
             ["h2", "http/1.1"]),
    "apt": ([0x1302, 0x1303, 0x1301, 0x1304, 0xC02C, 0xC02B, 0xCCA9, 0xC0AD, 0xC0AC, 0xC030, 0xC02F, 0xCCA8,
             0x009F, 0x009E, 0xCCAA],  # GnuTLS 3.7 as Debian's apt uses it
            [5, 0, 10, 11, 13, 22, 23, 35, 43, 45, 51, 65281], [0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101], []),
    "go": ([0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC009, 0xC013, 0xC00A, 0xC014, 0x009C, 0x009D,
            0x002F, 0x0035, 0xC012, 0x000A, 0x1301, 0x1302, 0x1303],  # Go's crypto/tls (implants, tools)
           [0, 5, 10, 11, 13, 65281, 18, 43, 51], [0x001D, 0x0017, 0x0018, 0x0019], []),
}
# Chrome 120 (BoringSSL) on every platform; Edge is Chromium and writes the same hello.
CHROME_CIPHERS = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014,
                  0x009C, 0x009D, 0x002F, 0x0035]
CHROME_EXTENSIONS = [0, 23, 65281, 10, 11, 35, 16, 5, 13, 18, 51, 45, 43, 27, 17513, 65037]
CHROME_GROUPS = [0x001D, 0x0017, 0x0018]
CHROME_SIGNATURE_ALGORITHMS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
CLIENTS["chrome"] = (CHROME_CIPHERS, CHROME_EXTENSIONS, CHROME_GROUPS, ["h2", "http/1.1"])
# Windows 10's own TLS stack (SChannel: Windows Update, telemetry, CryptoAPI), TLS 1.2 as it offers by default
CLIENTS["schannel"] = ([0xC02C, 0xC02B, 0xC030, 0xC02F, 0xC024, 0xC023, 0xC028, 0xC027, 0xC00A, 0xC009, 0xC014,
                        0xC013, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x000A],
                       [0, 5, 10, 11, 13, 35, 16, 23, 65281], [0x001D, 0x0017, 0x0018], ["h2", "http/1.1"])
CLIENTS["edge"] = CLIENTS["chrome"]
GREASE = [0x0A0A + 0x1010 * i for i in range(16)]
_HANDSHAKE, _CCS, _ALERT, _APPDATA = 22, 20, 21, 23


def _u8(data: bytes) -> bytes:
    return struct.pack("!B", len(data)) + data


def _u16(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def _ext(kind: int, body: bytes) -> bytes:
    return struct.pack("!H", kind) + _u16(body)


def _handshake(kind: int, body: bytes) -> bytes:
    return struct.pack("!B", kind) + len(body).to_bytes(3, "big") + body


def _record(kind: int, body: bytes, version: int = 0x0303) -> bytes:
    out = b""
    for i in range(0, max(len(body), 1), 16384):
        out += struct.pack("!BHH", kind, version, len(body[i:i + 16384])) + body[i:i + 16384]
    return out


def _client_hello(rng, sni: str, alpn: list[str], version: str, key: bytes,
                  client: str = "firefox") -> tuple[bytes, str]:
    """The ClientHello handshake message of ``client`` (a key of :data:`CLIENTS`) and its JA3 string."""
    if client in ("chrome", "edge"):
        return _chrome_hello(rng, sni, alpn, key)
    ciphers, order, groups, _alpn = CLIENTS[client]
    versions = [0x0304, 0x0303] if version == "1.3" else [0x0303]
    bodies = {
        0: _u16(b"\x00" + _u16(sni.encode("ascii"))),
        5: b"\x01\x00\x00\x00\x00",
        10: _u16(b"".join(struct.pack("!H", g) for g in groups)),
        11: _u8(b"\x00"),
        13: _u16(b"".join(struct.pack("!H", a) for a in SIGNATURE_ALGORITHMS)),
        16: _u16(b"".join(_u8(p.encode("ascii")) for p in alpn)),
        18: b"", 22: b"", 23: b"", 35: b"",
        43: _u8(b"".join(struct.pack("!H", v) for v in versions)),
        45: _u8(b"\x01"),
        51: _u16(struct.pack("!H", 0x001D) + _u16(key)),
        65281: b"\x00",
    }
    extensions = [(k, bodies[k]) for k in order if k != 16 or alpn]
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + _u8(rng.randbytes(32))
            + _u16(b"".join(struct.pack("!H", c) for c in ciphers)) + _u8(b"\x00")
            + _u16(b"".join(_ext(k, b) for k, b in extensions)))
    ja3 = ",".join(["771", "-".join(map(str, ciphers)), "-".join(str(k) for k, _ in extensions),
                    "-".join(map(str, groups)), "0"])
    return _handshake(1, body), ja3


def _chrome_hello(rng, sni: str, alpn: list[str], key: bytes) -> tuple[bytes, str]:
    """Chrome 120's ClientHello (always offering TLS 1.3 and 1.2) and its JA3 string (GREASE left out)."""
    grease = rng.sample(GREASE, 4)  # BoringSSL draws each GREASE slot per connection
    cipher_grease, group_grease, version_grease = grease[:3]
    first_ext, last_ext = grease[3], (grease[3] ^ 0x1010) if grease[3] != 0xFAFA else 0x0A0A
    groups = [group_grease, *CHROME_GROUPS]
    bodies = {
        0: _u16(b"\x00" + _u16(sni.encode("ascii"))),
        5: b"\x01\x00\x00\x00\x00",
        10: _u16(b"".join(struct.pack("!H", g) for g in groups)),
        11: _u8(b"\x00"),
        13: _u16(b"".join(struct.pack("!H", a) for a in CHROME_SIGNATURE_ALGORITHMS)),
        16: _u16(b"".join(_u8(p.encode("ascii")) for p in alpn)),
        18: b"", 23: b"", 35: b"",
        27: _u8(struct.pack("!H", 2)),  # brotli
        43: _u8(b"".join(struct.pack("!H", v) for v in (version_grease, 0x0304, 0x0303))),
        45: _u8(b"\x01"),
        51: _u16(struct.pack("!H", group_grease) + _u16(b"\x00") + struct.pack("!H", 0x001D) + _u16(key)),
        17513: _u16(_u8(b"h2")),  # ALPS (application_settings) for h2
        65037: (b"\x00" + struct.pack("!HH", 1, 1) + rng.randbytes(1) + _u16(rng.randbytes(32))
                + _u16(rng.randbytes(rng.choice((144, 176, 208, 240))))),  # ECH GREASE
        65281: b"\x00",
    }
    order = [k for k in CHROME_EXTENSIONS if k != 16 or alpn]
    rng.shuffle(order)  # Chrome 110+ permutes its extensions on every connection
    extensions = [(first_ext, b""), *((k, bodies[k]) for k in order), (last_ext, b"\x00")]
    ciphers = [cipher_grease, *CHROME_CIPHERS]
    head = (struct.pack("!H", 0x0303) + rng.randbytes(32) + _u8(rng.randbytes(32))
            + _u16(b"".join(struct.pack("!H", c) for c in ciphers)) + _u8(b"\x00"))
    length = 4 + len(head) + 2 + sum(4 + len(b) for _, b in extensions)
    if 0xFF < length < 0x200:  # BoringSSL pads a hello of 256-511 bytes to 512 (old F5 boxes choke on them)
        extensions.append((21, bytes(max(1, 0x200 - length - 4))))
    body = head + _u16(b"".join(_ext(k, b) for k, b in extensions))
    ja3 = ",".join(["771", "-".join(map(str, CHROME_CIPHERS)),
                    "-".join(str(k) for k, _ in extensions if k not in GREASE),
                    "-".join(map(str, CHROME_GROUPS)), "0"])
    return _handshake(1, body), ja3


def _server_hello(rng, version: str, alpn: str | None, session_id: bytes, key: bytes) -> tuple[bytes, str, int]:
    """The ServerHello, its JA3S string and the chosen cipher suite."""
    if version == "1.3":
        cipher = 0x1301
        extensions = [(43, struct.pack("!H", 0x0304)), (51, struct.pack("!H", 0x001D) + _u16(key))]
    else:
        cipher = 0xC02B
        extensions = [(65281, b"\x00"), (11, _u8(b"\x00")), (23, b""),
                      *([(16, _u16(_u8(alpn.encode("ascii"))))] if alpn else [])]
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + _u8(session_id) + struct.pack("!HB", cipher, 0)
            + _u16(b"".join(_ext(k, b) for k, b in extensions)))
    ja3s = f"771,{cipher},{'-'.join(str(k) for k, _ in extensions)}"
    return _handshake(2, body), ja3s, cipher


def tls_session(sid: str, path: Path, t0: int, *, sni: str, version: str = "1.2", alpn: list[str] | None = None,
                issuer: str = "R3", organization: str = "Let's Encrypt", valid_days: int = 90,
                exchanges: list[tuple[int, int]] = ((600, 4000),), retransmit: bool = False,
                client: str = "firefox") -> Session:
    """Handshake for ``sni``, then ``exchanges`` (request size, response size) of application data.

    ``client`` is the program opening it (firefox, chrome, edge, schannel, curl, apt, go): its ClientHello
    and JA3 (schannel, Windows 10's own stack, offers TLS 1.2 only: give it version 1.2).
    """
    item = f"session {sid}"
    if version not in VERSIONS:
        raise RecipeError("traffic", item, f"unknown TLS version {version!r} (known: 1.2, 1.3)")
    if not sni or not sni.isascii() or any(c in sni for c in " /\r\n"):
        raise RecipeError("traffic", item, f"server name {sni!r} must be an ASCII host name")
    if client not in CLIENTS:
        raise RecipeError("traffic", item, f"unknown TLS client {client!r} (known: {', '.join(CLIENTS)})")
    alpn = list(CLIENTS[client][3]) if alpn is None else list(alpn)
    rng = path.rng
    conv = Dialogue(path.client, path.server, t0, rng=rng, rtt_us=path.rtt_us, mbps=path.mbps, retransmit=retransmit)
    client_hello, ja3 = _client_hello(rng, sni, alpn, version, rng.randbytes(32), client)
    session_id = client_hello[4 + 2 + 32 + 1:4 + 2 + 32 + 1 + 32]
    server_hello, ja3s, cipher = _server_hello(rng, version, alpn[0] if alpn else None, session_id, rng.randbytes(32))
    chain, cert = make_chain(sni, issuer=issuer, organization=organization,
                             not_before=t0 // 1_000_000 - rng.randint(1, 60) * 86_400, valid_days=valid_days)
    conv.say(True, _record(_HANDSHAKE, client_hello, 0x0301), think_ms=0.3)
    if version == "1.2":
        chain_bytes = b"".join(len(c).to_bytes(3, "big") + c for c in chain)
        certificate = _handshake(11, len(chain_bytes).to_bytes(3, "big") + chain_bytes)
        key_exchange = _handshake(12, b"\x03" + struct.pack("!H", 0x001D) + _u8(rng.randbytes(32))
                                  + struct.pack("!H", 0x0807) + _u16(rng.randbytes(64)))
        flight = b"".join(_record(_HANDSHAKE, m) for m in (server_hello, certificate, key_exchange,
                                                          _handshake(14, b"")))
        conv.say(False, flight, think_ms=rng.uniform(1, 8))
        conv.say(True, _record(_HANDSHAKE, _handshake(16, _u8(rng.randbytes(32)))) + _record(_CCS, b"\x01")
                 + _record(_HANDSHAKE, rng.randbytes(40)), think_ms=rng.uniform(0.5, 3))
        conv.say(False, _record(_CCS, b"\x01") + _record(_HANDSHAKE, rng.randbytes(40)), think_ms=0.5)
        overhead = 8 + 16  # explicit nonce + GCM tag
    else:
        flight = _record(_HANDSHAKE, server_hello) + _record(_CCS, b"\x01") + b"".join(
            _record(_APPDATA, rng.randbytes(n + 17)) for n in (len(b"".join(chain)) + 40, 80, 36))
        conv.say(False, flight, think_ms=rng.uniform(1, 8))
        conv.say(True, _record(_CCS, b"\x01") + _record(_APPDATA, rng.randbytes(53)), think_ms=rng.uniform(0.5, 3))
        overhead = 17  # content type + AEAD tag
    sent = received = 0
    for request, response in exchanges:
        conv.say(True, _record(_APPDATA, rng.randbytes(request + overhead)), think_ms=rng.uniform(0.3, 5))
        conv.say(False, _record(_APPDATA, rng.randbytes(response + overhead)), think_ms=rng.uniform(5, 120))
        sent, received = sent + request, received + response
    conv.say(True, _record(_ALERT, rng.randbytes(2 + overhead)), think_ms=rng.uniform(500, 5000))
    conv.close(True, after_ms=0.2)
    finished = conv.end()
    hello_frame, flight_frame = conv.turns[0][2], conv.turns[1][1]
    session = Session(sid, "tls", True, finished.packets, finished.marks)
    facts = {"sni": sni, "client_software": client, "version": version, "alpn": alpn, "cipher_suite": cipher,
             "ja3": ja3, "ja3_md5": hashlib.md5(ja3.encode()).hexdigest(),
             "ja3s": ja3s, "ja3s_md5": hashlib.md5(ja3s.encode()).hexdigest(),
             "certificate": cert, "certificate_visible": version == "1.2",
             "application_bytes_sent": sent, "application_bytes_received": received}

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(facts, tcp_stream=frames.streams["main"], frames=frames.span(), time=frames.time(0),
                   client_hello_frame=frames.number(hello_frame),
                   server_hello_frame=frames.number(flight_frame))
        return out

    session.describe = describe
    return session
