"""Brute-force detector: FTP 530s, Telnet 'Login incorrect', HTTP login POSTs, short SSH connections."""

from __future__ import annotations

import pytest

from forensics_kit.net.detect import detect

from .conftest import T0, TcpPeer, handshake, write_pcap
from .expected_tables import TSHARK, tshark_fields

ATTACKER, SERVER = "10.0.0.66", "10.0.0.2"
PASSWORDS = ["123456", "password", "qwerty", "letmein", "dragon", "admin"]


def _conversation(sport: int, dport: int, turns: list[tuple[str, bytes]]) -> list[bytes]:
    c, s = TcpPeer(ATTACKER, SERVER, sport, dport, 1000), TcpPeer(SERVER, ATTACKER, dport, sport, 5000)
    frames = handshake(c, s)
    for who, payload in turns:
        peer = c if who == "c" else s
        frames.append(peer.packet(payload=payload))
        (s if who == "c" else c).ack = peer.seq
    return frames


def ftp() -> list[bytes]:
    turns = [("s", b"220 FTP ready\r\n")]
    for pw in PASSWORDS[:-1]:
        turns += [("c", b"USER admin\r\n"), ("s", b"331 Password required\r\n"),
                  ("c", b"PASS %s\r\n" % pw.encode()), ("s", b"530 Login incorrect.\r\n")]
    turns += [("c", b"USER admin\r\n"), ("s", b"331 Password required\r\n"),
              ("c", b"PASS admin\r\n"), ("s", b"230 Login successful.\r\n")]
    return _conversation(40021, 21, turns)


def telnet() -> list[bytes]:
    turns = [("s", b"\xff\xfd\x18Debian GNU/Linux 12\r\nlogin: ")]
    for i, pw in enumerate(PASSWORDS):
        turns += [("c", b"r"), ("c", b"oot\r\n"), ("s", b"Password: "), ("c", pw.encode() + b"\r\n")]
        if i < 5:
            turns += [("s", b"\r\nLogin incorrect\r\nlogin: ")]
        else:
            turns += [("s", b"Last login: Fri Mar  1 09:00:00 2024\r\nroot@box:~# ")]
    return _conversation(40023, 23, turns)


def http() -> list[bytes]:
    frames = []
    for i, pw in enumerate(PASSWORDS):
        form = b"username=alice&password=" + pw.encode()
        request = (b"POST /wp-login.php HTTP/1.1\r\nHost: blog.example\r\nContent-Length: %d\r\n"
                   b"Content-Type: application/x-www-form-urlencoded\r\n\r\n" % len(form)) + form
        if i < 5:
            reply = b"HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n<p>Invalid password.</p>\n"
        else:
            reply = b"HTTP/1.1 302 Found\r\nLocation: /wp-admin/\r\nContent-Length: 0\r\n\r\n"
        frames += _conversation(41000 + i, 80, [("c", request), ("s", reply)])
    return frames


def ssh() -> list[tuple[int, bytes]]:
    """12 short connections to port 22 (1 s apart), then one lasting 60 s."""
    out = []
    for i in range(13):
        c, s = TcpPeer(ATTACKER, SERVER, 42000 + i, 22, 1), TcpPeer(SERVER, ATTACKER, 22, 42000 + i, 2)
        frames = handshake(c, s) + [c.packet(payload=b"SSH-2.0-hydra\r\n")]
        base = T0 + 100_000_000_000 + i * 2_000_000_000
        out += [(base + k * 1_000_000, f) for k, f in enumerate(frames)]
        out.append((base + (60_000 if i == 12 else 500) * 1_000_000, c.packet("FA")))
    return out


@pytest.fixture(scope="module")
def brute_pcap(tmp_path_factory):
    frames = ftp() + telnet() + http()
    records = [(T0 + i * 10_000_000, f) for i, f in enumerate(frames)] + ssh()
    path = tmp_path_factory.mktemp("brute") / "brute.pcap"
    return write_pcap(path, sorted(records, key=lambda r: r[0]))


def _by_service(path) -> dict:
    return {f.numbers["service"]: f for f in detect(path, ["bruteforce"])}


def test_ftp_failures_then_the_account_that_fell(brute_pcap):
    f = _by_service(brute_pcap)["ftp"]
    n = f.numbers
    assert (n["attempts"], n["failures"], n["success"], n["account"]) == (6, 5, True, "admin")
    assert f.source == ATTACKER and f.targets == [SERVER] and f.frame_count == 6
    assert f.frames[-1] == n["success_frame"]


def test_telnet_login_incorrect_counts_and_typed_account(brute_pcap):
    n = _by_service(brute_pcap)["telnet"].numbers
    assert (n["failures"], n["success"], n["account"], n["accounts_tried"]) == (5, True, "root", ["root"])


def test_http_login_posts_with_error_pages_then_redirect(brute_pcap):
    f = _by_service(brute_pcap)["http"]
    assert (f.numbers["failures"], f.numbers["account"]) == (5, "alice")
    assert "then success" in f.summary


def test_ssh_many_short_connections_then_a_long_one(brute_pcap):
    n = _by_service(brute_pcap)["ssh"].numbers
    assert (n["attempts"], n["failures"], n["success"]) == (13, 12, True)


def test_fewer_failures_than_the_threshold_is_not_brute_force(brute_pcap):
    found = detect(brute_pcap, ["bruteforce"], {"bruteforce": {"min_failures": 6, "ssh_min_connections": 13}})
    assert found == []


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_ftp_and_http_evidence_frames_match_tshark(brute_pcap):
    found = _by_service(brute_pcap)
    rows = tshark_fields(brute_pcap, ["frame.number", "ftp.response.code"],
                         "ftp.response.code == 530 || ftp.response.code == 230")
    assert [int(r[0]) for r in rows] == found["ftp"].frames
    rows = tshark_fields(brute_pcap, ["frame.number"], "http.response")
    assert [int(r[0]) for r in rows] == found["http"].frames
