"""Telnet: negotiation stripped, keystrokes and backspaces rebuilt, login and commands found."""

from __future__ import annotations

import pytest

from forensics_kit.net.protocols import read_sessions
from forensics_kit.net.protocols.telnet import strip_iac

from .expected_tables import TSHARK, tshark_fields
from .tcp_conversation import Talk, capture

C, S = "10.20.0.2", "10.20.0.23"
IAC = b"\xff"


def keys(text: bytes, echo: bool = True):
    """One segment per keystroke, echoed by the server unless a password is typed."""
    out = []
    for ch in text:
        out.append(("c", bytes([ch])))
        if echo and ch not in b"\r":
            out.append(("s", bytes([ch]) if ch != 0x7F else b"\x08 \x08"))
    return out


@pytest.fixture(scope="module")
def telnet_pcap(tmp_path_factory):
    """A failed login, then root logs in and types two commands (one with a typo fixed by DEL)."""
    talk = Talk(C, 51000, S, 23)
    frames = talk.open() + talk.send([
        ("s", IAC + b"\xfd\x18" + IAC + b"\xfd\x20"), ("c", IAC + b"\xfb\x18" + IAC + b"\xfb\x20"),
        ("s", IAC + b"\xfa\x18\x01" + IAC + b"\xf0"), ("c", IAC + b"\xfa\x18\x00xterm" + IAC + b"\xf0"),
        ("s", b"Debian GNU/Linux 12\r\nrouter login: "), *keys(b"admin\r"), ("s", b"\r\nPassword: "),
        *keys(b"admin\r", echo=False), ("s", b"\r\nLogin incorrect\r\nrouter login: "), *keys(b"root\r"),
        ("s", b"\r\nPassword: "), *keys(b"T0ps3cret\r", echo=False), ("s", b"\r\nLast login: never\r\nroot@router:~# "),
        *keys(b"id\r"), ("s", b"\r\nuid=0(root) gid=0(root)\r\nroot@router:~# "), *keys(b"cat /etc/shadpw\x7f\x7fow\r"),
        ("s", b"\r\nroot:$6$salt$hash:19000:0:99999:7:::\r\nroot@router:~# "), *keys(b"exit\r"),
    ]) + talk.close()
    return capture(tmp_path_factory.mktemp("telnet") / "telnet.pcap", frames)


@pytest.fixture(scope="module")
def session(telnet_pcap):
    return read_sessions(telnet_pcap, ["telnet"])["telnet"].results()[0]


def test_strip_iac_removes_negotiation_and_keeps_escaped_ff():
    state = [0]
    assert strip_iac(b"a\xff\xfb\x01b\xff\xfa\x18\x00x\xff\xf0c\xff\xffd", state) == b"abc\xffd"
    assert strip_iac(b"x\xff", state) == b"x" and strip_iac(b"\xfd\x01y", state) == b"y"


def test_telnet_login_attempts_are_read_from_prompts(session):
    assert [(c.username, c.password, c.success) for c in session.credentials] == [
        ("admin", "admin", False), ("root", "T0ps3cret", True)]
    assert (session.username, session.password) == ("root", "T0ps3cret")


def test_telnet_commands_are_rebuilt_with_backspace(session):
    assert session.commands == ["id", "cat /etc/shadow", "exit"]
    assert "uid=0(root)" in session.output and "\xff" not in session.output


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_telnet_client_data_matches_tshark(telnet_pcap, session):
    rows = tshark_fields(telnet_pcap, ["telnet.data"], f"telnet.data && ip.src == {C}")
    typed = "".join(r[0] for r in rows).replace("\\r", "\r")
    assert "root\rT0ps3cret\rid\r" in typed and "shadpw\x7f\x7fow\r" in typed


def test_cli_telnet_view_shows_login_and_commands(telnet_pcap):
    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    result = CliRunner().invoke(cli, ["net", "telnet", str(telnet_pcap)])
    assert result.exit_code == 0 and "password T0ps3cret" in result.output and "cat /etc/shadow" in result.output
