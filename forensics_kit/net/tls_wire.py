"""TLS handshake messages as bytes: ClientHello, ServerHello, Certificate, and JA3/JA3S.

Pure parsing with :mod:`struct` and slicing, no capture knowledge, so it can
be tested alone. Every parser returns None (or raises nothing) on bytes that
are not what they claim: evidence is hostile and a bad hello is not fatal.
Certificates are read with ``cryptography`` because DER/X.509 is too easy to
get subtly wrong by hand.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

VERSION_NAMES = {0x0200: "SSL 2.0", 0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1",
                 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}
EXT_SERVER_NAME, EXT_GROUPS, EXT_POINT_FORMATS, EXT_ALPN, EXT_VERSIONS = 0, 10, 11, 16, 43


def is_grease(value: int) -> bool:
    """GREASE values (RFC 8701) are random noise that JA3 leaves out."""
    return (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)


def version_name(value: int) -> str:
    """``TLS 1.2`` for 0x0303; unknown values as hex."""
    return VERSION_NAMES.get(value, f"0x{value:04x}")


@dataclass(slots=True)
class Hello:
    """The fields of a ClientHello or ServerHello that investigations use."""

    version: int
    ciphers: list[int] = field(default_factory=list)
    extensions: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    point_formats: list[int] = field(default_factory=list)
    sni: str | None = None
    alpn: list[str] = field(default_factory=list)
    supported_versions: list[int] = field(default_factory=list)

    def ja3_string(self) -> str:
        """JA3 of a ClientHello: version,ciphers,extensions,groups,point formats (no GREASE)."""
        def join(values: list[int]) -> str:
            return "-".join(str(v) for v in values if not is_grease(v))
        return ",".join((str(self.version), join(self.ciphers), join(self.extensions),
                         join(self.groups), join(self.point_formats)))

    def ja3s_string(self) -> str:
        """JA3S of a ServerHello: version,cipher,extensions."""
        cipher = str(self.ciphers[0]) if self.ciphers else ""
        return ",".join((str(self.version), cipher,
                         "-".join(str(v) for v in self.extensions if not is_grease(v))))


def md5(text: str) -> str:
    """The MD5 that JA3 publishes next to its string."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _extensions(hello: Hello, data: bytes, pos: int, client: bool) -> None:
    if pos + 2 > len(data):
        return
    end = min(len(data), pos + 2 + struct.unpack_from("!H", data, pos)[0])
    pos += 2
    while pos + 4 <= end:
        etype, elen = struct.unpack_from("!HH", data, pos)
        body = data[pos + 4 : pos + 4 + elen]
        pos += 4 + elen
        hello.extensions.append(etype)
        try:
            _extension(hello, etype, body, client)
        except (struct.error, IndexError, UnicodeDecodeError):
            continue


def _u16_list(body: bytes, start: int, size: int) -> list[int]:
    count = min(size, len(body) - start) // 2
    return list(struct.unpack_from(f"!{count}H", body, start))


def _extension(hello: Hello, etype: int, body: bytes, client: bool) -> None:
    if etype == EXT_SERVER_NAME and client and len(body) >= 5:
        pos, end = 2, min(len(body), 2 + struct.unpack_from("!H", body)[0])
        while pos + 3 <= end:
            ntype, nlen = body[pos], struct.unpack_from("!H", body, pos + 1)[0]
            if ntype == 0:
                hello.sni = body[pos + 3 : pos + 3 + nlen].decode("ascii", "replace")
                return
            pos += 3 + nlen
    elif etype == EXT_GROUPS and len(body) >= 2:
        hello.groups = _u16_list(body, 2, struct.unpack_from("!H", body)[0])
    elif etype == EXT_POINT_FORMATS and body:
        hello.point_formats = list(body[1 : 1 + body[0]])
    elif etype == EXT_ALPN and len(body) >= 2:
        pos, end = 2, min(len(body), 2 + struct.unpack_from("!H", body)[0])
        while pos < end:
            size = body[pos]
            hello.alpn.append(body[pos + 1 : pos + 1 + size].decode("ascii", "replace"))
            pos += 1 + size
    elif etype == EXT_VERSIONS:
        if client and body:
            hello.supported_versions = _u16_list(body, 1, body[0])
        elif len(body) >= 2:
            hello.supported_versions = [struct.unpack_from("!H", body)[0]]


def parse_client_hello(body: bytes) -> Hello | None:
    """Parse the body of a ClientHello handshake message (after type and length)."""
    try:
        hello = Hello(struct.unpack_from("!H", body)[0])
        pos = 34
        pos += 1 + body[pos]
        size = struct.unpack_from("!H", body, pos)[0]
        hello.ciphers = _u16_list(body, pos + 2, size)
        pos += 2 + size
        pos += 1 + body[pos]
    except (struct.error, IndexError):
        return None
    _extensions(hello, body, pos, client=True)
    return hello


def parse_server_hello(body: bytes) -> Hello | None:
    """Parse the body of a ServerHello; ``ciphers`` holds the one chosen suite."""
    try:
        hello = Hello(struct.unpack_from("!H", body)[0])
        pos = 34
        pos += 1 + body[pos]
        hello.ciphers = [struct.unpack_from("!H", body, pos)[0]]
        pos += 3
    except (struct.error, IndexError):
        return None
    _extensions(hello, body, pos, client=False)
    return hello


@dataclass(slots=True)
class CertInfo:
    """The server certificate's identity, validity and names; ``problem`` if unreadable."""

    subject: str | None = None
    issuer: str | None = None
    serial: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    sans: list[str] = field(default_factory=list)
    sha256: str | None = None
    problem: str | None = None


def first_certificate(body: bytes) -> bytes | None:
    """The DER of the first (leaf) certificate in a TLS <= 1.2 Certificate message body."""
    if len(body) < 6:
        return None
    size = int.from_bytes(body[3:6], "big")
    der = body[6 : 6 + size]
    return der if len(der) == size and size else None


def parse_certificate(der: bytes) -> CertInfo:
    """Subject, issuer, serial, validity (ISO UTC) and DNS/IP SANs of a DER certificate."""
    info = CertInfo(sha256=hashlib.sha256(der).hexdigest())
    try:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(der)
        info.subject = cert.subject.rfc4514_string()
        info.issuer = cert.issuer.rfc4514_string()
        info.serial = f"{cert.serial_number:x}"
        info.not_before = cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        info.not_after = cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            info.sans = [str(v) for v in san.get_values_for_type(x509.DNSName)]
            info.sans += [str(v) for v in san.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            pass
    except ImportError:
        info.problem = "the 'cryptography' package is needed to read certificates"
    except Exception as exc:  # noqa: BLE001 - hostile DER: any parser error is a finding, not a crash
        info.problem = f"certificate not readable: {str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__}"
    return info
