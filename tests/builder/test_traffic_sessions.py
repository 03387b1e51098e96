"""The protocol and incident sessions of the traffic generator: determinism and recipe errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics_kit.builder.traffic import Capture
from forensics_kit.builder.traffic.exchange import Message
from forensics_kit.builder.traffic.ftp import FtpCommand
from forensics_kit.builder.traffic.mime import Attachment, Mail
from forensics_kit.errors import RecipeError

START = 1709287200.0


def _capture(seed: int = 4) -> Capture:
    cap = Capture(start=START, seed=seed)
    cap.add_host("ws", "192.168.1.23")
    cap.add_host("srv", "192.168.1.50")
    cap.add_host("gw", "192.168.1.1")
    cap.add_host("far", "203.0.113.9")
    mail = Mail("a@corp.example", ["b@x.example"], "Отчёт", "Привет\n.dot line\n", [Attachment("a.bin", b"\x00" * 99)])
    cap.tcp_exchange("ws", "far", [Message("client", b"hi"), Message("server", b"yo")], at=0.1, dport=7)
    cap.ftp("ws", "srv", user="u", password="p", commands=[FtpCommand("RETR", "f", b"data" * 900)], at=1,
            passive=False)
    cap.smtp("ws", "far", mail=mail, at=3)
    cap.imap("ws", "srv", user="u", password="p w", mail=mail, at=5)
    cap.telnet("ws", "srv", user="u", password="p", commands=[("ls", "a b")], at=7)
    cap.tls("ws", "far", sni="x.example", at=20, version="1.3")
    cap.port_scan("ws", "srv", ports=[22, 80], open_ports=[22], at=25)
    cap.brute_force("ws", "srv", service="telnet", user="root", passwords=["a", "b"], success="b", at=26)
    cap.beacons("ws", "far", count=3, interval_s=2, jitter_pct=30, at=30, raw=b"\x01beat")
    cap.dns_tunnel("ws", "gw", domain="t.example", data=b"x" * 100, encoding="hex", chunk=20, answer="CNAME", at=40)
    cap.icmp_exfil("ws", "far", data=b"y" * 100, at=45)
    cap.arp_spoof("ws", "srv", "gw", at=50)
    return cap


@pytest.mark.parametrize("fmt", ["pcap", "pcapng"])
def test_every_session_type_gives_byte_identical_files_and_truth(tmp_path: Path, fmt: str) -> None:
    truth_a = _capture().write(tmp_path / "a", fmt)
    truth_b = _capture().write(tmp_path / "b", fmt)
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert truth_a == truth_b
    assert len(truth_a["sessions"]) == 12


def test_other_seed_changes_bytes_but_not_what_was_said(tmp_path: Path) -> None:
    truth_a = _capture(4).write(tmp_path / "a")
    truth_b = _capture(5).write(tmp_path / "b")
    assert (tmp_path / "a").read_bytes() != (tmp_path / "b").read_bytes()
    smtp_a = next(s for s in truth_a["sessions"].values() if s["type"] == "smtp")
    smtp_b = next(s for s in truth_b["sessions"].values() if s["type"] == "smtp")
    assert smtp_a["attachments"] == smtp_b["attachments"] and smtp_a["subject"] == "Отчёт"


@pytest.mark.parametrize("call, problem", [
    (lambda c: c.ftp("ws", "srv", user="u", password="p", commands=[FtpCommand("RMD", "x")], at=1), "unknown FTP"),
    (lambda c: c.port_scan("ws", "srv", ports=[22], open_ports=[80], at=1), "open ports"),
    (lambda c: c.brute_force("ws", "srv", service="rdp", user="u", passwords=["a"], at=1), "unknown brute"),
    (lambda c: c.brute_force("ws", "srv", service="ftp", user="u", passwords=["a"], success="b", at=1), "word list"),
    (lambda c: c.dns_tunnel("ws", "gw", domain="t.example", data=b"x", encoding="hex", chunk=35, at=1), "63"),
    (lambda c: c.tls("ws", "srv", sni="x", version="1.1", at=1), "TLS version"),
    (lambda c: c.tcp_exchange("ws", "srv", [], at=1, dport=1), "at least one message"),
])
def test_bad_session_arguments_are_recipe_errors(call, problem: str) -> None:
    cap = _capture()
    with pytest.raises(RecipeError, match=problem):
        call(cap)
