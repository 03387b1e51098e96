"""TLS handshake metadata: SNI, versions, JA3/JA3S, ALPN and the server certificate, against tshark."""

from __future__ import annotations

import datetime
import struct
from pathlib import Path

import pytest
from shared_corpus import corpus_path

from forensics_kit.errors import EvidenceError
from forensics_kit.net.tls import tls_sessions
from forensics_kit.net.tls_wire import Hello, is_grease, md5, parse_client_hello

from .conftest import CLIENT, SERVER, T0, TcpPeer, handshake, write_pcap
from .expected_tables import TSHARK, tshark_fields

cryptography = pytest.importorskip("cryptography")
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

GREASE = 0x2A2A
CIPHERS = [GREASE, 0x1301, 0x1302, 0xC02B, 0xC02F, 0x009C]
GROUPS = [GREASE, 29, 23, 24]


def _ext(etype: int, body: bytes) -> bytes:
    return struct.pack("!HH", etype, len(body)) + body


def client_hello(sni: str | None, alpn=("h2", "http/1.1"), versions=(0x0304, 0x0303)) -> bytes:
    """A Chrome-like ClientHello handshake message with GREASE values sprinkled in."""
    exts = _ext(GREASE, b"")
    if sni:
        name = sni.encode()
        exts += _ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
    exts += _ext(10, struct.pack("!H", 2 * len(GROUPS)) + b"".join(struct.pack("!H", g) for g in GROUPS))
    exts += _ext(11, b"\x01\x00")
    protos = b"".join(bytes([len(p)]) + p.encode() for p in alpn)
    exts += _ext(16, struct.pack("!H", len(protos)) + protos)
    exts += _ext(43, bytes([2 * len(versions)]) + b"".join(struct.pack("!H", v) for v in versions))
    body = (struct.pack("!H", 0x0303) + bytes(range(32)) + b"\x00"
            + struct.pack("!H", 2 * len(CIPHERS)) + b"".join(struct.pack("!H", c) for c in CIPHERS)
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    return b"\x01" + len(body).to_bytes(3, "big") + body


def server_hello(cipher: int = 0xC02F, version: int | None = None) -> bytes:
    exts = _ext(0xFF01, b"\x00") + _ext(11, b"\x01\x00")
    if version:
        exts += _ext(43, struct.pack("!H", version))
    body = (struct.pack("!H", 0x0303) + bytes(range(100, 132)) + b"\x00" + struct.pack("!HB", cipher, 0)
            + struct.pack("!H", len(exts)) + exts)
    return b"\x02" + len(body).to_bytes(3, "big") + body


def certificate(cn: str, sans: list[str]) -> tuple[bytes, x509.Certificate]:
    key = ec.derive_private_key(12345, ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Evil Corp")])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Evil Root CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(key.public_key())
            .serial_number(0x1234ABCD)
            .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
            .not_valid_after(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    chain = len(der).to_bytes(3, "big") + der
    body = len(chain).to_bytes(3, "big") + chain
    return b"\x0b" + len(body).to_bytes(3, "big") + body, cert


def record(payload: bytes, ctype: int = 22) -> bytes:
    return struct.pack("!BHH", ctype, 0x0303, len(payload)) + payload


def tls_frames():
    """Three connections.

    A (443): ClientHello in 2 segments (frame 5), ServerHello+Certificate+Done where the
    certificate message spans two records and three segments (ServerHello complete in
    frame 7, certificate in frame 8). B (8443): TLS 1.3 (certificate encrypted), ClientHello
    in frame 13.
    C (443): not TLS at all.
    """
    frames = []
    c, s = TcpPeer(CLIENT, SERVER, 50000, 443, 100), TcpPeer(SERVER, CLIENT, 443, 50000, 900)
    frames += handshake(c, s)
    hello = record(client_hello("evil.example"))
    frames += [c.packet(payload=hello[:60]), c.packet(payload=hello[60:])]
    s.ack = c.seq
    cert_msg, _ = certificate("evil.example", ["evil.example", "cdn.evil.example"])
    flight = server_hello() + cert_msg + b"\x0e\x00\x00\x00"
    wire = record(flight[:200]) + record(flight[200:])
    third = len(wire) // 3
    frames += [s.packet(payload=wire[:third]), s.packet(payload=wire[third : 2 * third]),
               s.packet(payload=wire[2 * third :])]
    frames.append(c.packet(payload=record(b"\x01", 20) + record(b"\x99" * 40, 22)))

    c2, s2 = TcpPeer(CLIENT, SERVER, 50001, 8443, 300), TcpPeer(SERVER, CLIENT, 8443, 50001, 700)
    frames += handshake(c2, s2)
    frames.append(c2.packet(payload=record(client_hello("tls13.example", alpn=("h2",)))))
    s2.ack = c2.seq
    frames.append(s2.packet(payload=record(server_hello(0x1301, 0x0304)) + record(b"\x01", 20)
                            + record(b"\x17" * 80, 23)))

    c3, s3 = TcpPeer(CLIENT, SERVER, 50002, 443, 500), TcpPeer(SERVER, CLIENT, 443, 50002, 800)
    frames += handshake(c3, s3)
    frames.append(c3.packet(payload=b"SSH-2.0-OpenSSH_9.2\r\n"))
    return frames


@pytest.fixture(scope="module")
def tls_pcap(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tls") / "tls.pcap"
    return write_pcap(path, [(T0 + i * 1_000_000, f) for i, f in enumerate(tls_frames())])


def test_client_hello_split_over_segments_gives_sni_ja3_and_alpn(tls_pcap):
    first = tls_sessions(tls_pcap)[0]
    assert (first.frame, first.stream, first.client, first.cport, first.server, first.sport) == (
        5, 0, CLIENT, 50000, SERVER, 443)
    assert first.sni == "evil.example"
    assert first.alpn == ["h2", "http/1.1"]
    assert first.versions == ["TLS 1.2", "TLS 1.3"]
    assert first.ja3 == "771,4865-4866-49195-49199-156,0-10-11-16-43,29-23-24,0"
    assert first.ja3_hash == md5(first.ja3)
    assert first.ja3s == "771,49199,65281-11" and first.version == "TLS 1.2"


def test_certificate_spanning_records_and_segments_is_read(tls_pcap):
    first = tls_sessions(tls_pcap)[0]
    assert first.cert_frame == 8 and first.server_frame == 7
    assert first.cert_subject == "O=Evil Corp,CN=evil.example"
    assert first.cert_issuer == "CN=Evil Root CA"
    assert first.cert_serial == "1234abcd"
    assert (first.not_before, first.not_after) == ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z")
    assert first.cert_sans == ["evil.example", "cdn.evil.example"]
    assert first.cert_note is None


def test_tls13_on_another_port_says_the_certificate_is_encrypted(tls_pcap):
    sessions = tls_sessions(tls_pcap)
    assert len(sessions) == 2  # the SSH banner on port 443 is not TLS
    second = sessions[1]
    assert (second.frame, second.sport, second.stream, second.sni) == (13, 8443, 1, "tls13.example")
    assert second.version == "TLS 1.3" and second.cipher == "0x1301"
    assert second.cert_subject is None and "encrypted" in second.cert_note


def test_grease_values_are_recognised_and_bad_hellos_are_none():
    assert all(is_grease(v) for v in (0x0A0A, 0x2A2A, 0xFAFA)) and not is_grease(0x0A1A)
    assert parse_client_hello(b"\x03\x03short") is None
    assert Hello(771).ja3_string() == "771,,,,"


def test_not_a_capture_is_an_evidence_error(tmp_path):
    bad = tmp_path / "x.pcap"
    bad.write_bytes(b"hello world, not a pcap")
    with pytest.raises(EvidenceError):
        tls_sessions(bad)


needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")


@needs_tshark
@pytest.mark.crosscheck
def test_generated_sessions_match_tshark_sni_ja3_ja3s_and_certificate(tls_pcap):
    extra = ("-d", "tcp.port==8443,tls")
    rows = tshark_fields(tls_pcap, ["frame.number", "tls.handshake.extensions_server_name",
                                    "tls.handshake.ja3_full", "tls.handshake.ja3"],
                         "tls.handshake.type==1", extra)
    ours = tls_sessions(tls_pcap)
    assert [[str(s.frame), s.sni, s.ja3, s.ja3_hash] for s in ours] == rows
    rows = tshark_fields(tls_pcap, ["frame.number", "tls.handshake.ja3s_full", "tls.handshake.ja3s"],
                         "tls.handshake.type==2", extra)
    assert [[str(s.server_frame), s.ja3s, s.ja3s_hash] for s in ours] == rows
    rows = tshark_fields(tls_pcap, ["frame.number", "x509af.serialNumber", "x509sat.printableString",
                                    "x509sat.uTF8String"], "tls.handshake.type==11", extra)
    assert rows[0][0] == str(ours[0].cert_frame)
    assert int(rows[0][1].replace(":", ""), 16) == int(ours[0].cert_serial, 16)
    assert "evil.example" in rows[0][2] + rows[0][3]


CORPUS_TLS = ["plaso/test.pcap", "scapy/tls_nss_example.pcap", "scapy/tls_new-session-ticket.pcap"]


@pytest.mark.crosscheck
@pytest.mark.parametrize("name", CORPUS_TLS)
def test_corpus_sni_matches_tshark_answers(name):
    path = corpus_path("pcaps", name)
    expected = corpus_path("expected", "pcaps", f"{name}.tls_sni.txt")
    want = [line.split("\t") for line in expected.read_text().splitlines() if line.strip()]
    assert [[str(s.frame), s.sni] for s in tls_sessions(path) if s.sni] == want


@needs_tshark
@pytest.mark.crosscheck
@pytest.mark.parametrize("name", CORPUS_TLS)
def test_corpus_ja3_ja3s_and_streams_match_tshark(name):
    path = corpus_path("pcaps", name)
    ours = tls_sessions(path)
    rows = tshark_fields(path, ["frame.number", "tcp.stream", "tls.handshake.ja3"], "tls.handshake.type==1")
    assert [[str(s.frame), str(s.stream), s.ja3_hash] for s in ours if s.ja3_hash] == rows
    rows = tshark_fields(path, ["frame.number", "tls.handshake.ja3s"], "tls.handshake.type==2")
    assert [[str(s.server_frame), s.ja3s_hash] for s in ours if s.ja3s_hash] == rows


def test_corpus_certificate_subjects_are_read():
    path = corpus_path("pcaps", "plaso", "test.pcap")
    subjects = {s.frame: (s.cert_frame, s.cert_subject, s.not_after) for s in tls_sessions(path)}
    assert subjects[22] == (26, "CN=www.google.com,O=Google Inc,L=Mountain View,ST=California,C=US",
                            "2013-10-31T23:59:59Z")
    assert subjects[1422][1].startswith("CN=update.microsoft.com,OU=WUPDS")
