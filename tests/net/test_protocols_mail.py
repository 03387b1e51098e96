"""SMTP, POP3 and IMAP: envelopes, logins, and messages with decoded attachments."""

from __future__ import annotations

import base64
import hashlib
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from forensics_kit.net.protocols import read_sessions

from .expected_tables import TSHARK, tshark_fields
from .tcp_conversation import capture, conversation

C, S = "172.16.0.5", "172.16.0.25"
PAYLOAD = b"%PDF-1.4 fake invoice " + bytes(range(256))


def mail() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ivan <ivan@corp.example>"
    msg["To"] = "boss@corp.example"
    msg["Subject"] = "Отчёт за март"
    msg["Date"] = "Fri, 01 Mar 2024 10:00:00 +0000"
    msg["Message-ID"] = "<m1@corp.example>"
    msg.set_content("See attached.\n.leading dot line\n")
    msg.add_attachment(PAYLOAD, maintype="application", subtype="pdf", filename="invoice.pdf")
    return msg.as_bytes().replace(b"\n", b"\r\n")


MAIL = mail()  # built once: the MIME boundary is random


def stuffed(raw: bytes) -> bytes:
    return b"".join(b"." + line if line.startswith(b".") else line for line in raw.splitlines(keepends=True))


@pytest.fixture(scope="module")
def mail_pcap(tmp_path_factory):
    """Stream 0 SMTP with AUTH LOGIN; 1 SMTP AUTH PLAIN refused; 2 POP3; 3 IMAP."""
    raw = MAIL
    login = base64.b64encode
    smtp = conversation(C, 40000, S, 25, [
        ("s", b"220 mail.corp.example ESMTP Postfix\r\n"), ("c", b"EHLO pc01\r\n"),
        ("s", b"250-mail.corp.example\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n"),
        ("c", b"AUTH LOGIN\r\n"), ("s", b"334 VXNlcm5hbWU6\r\n"), ("c", login(b"ivan") + b"\r\n"),
        ("s", b"334 UGFzc3dvcmQ6\r\n"), ("c", login(b"Qwerty#1") + b"\r\n"),
        ("s", b"235 2.7.0 Authentication successful\r\n"),
        ("c", b"MAIL FROM:<ivan@corp.example>\r\n"), ("s", b"250 OK\r\n"),
        ("c", b"RCPT TO:<boss@corp.example>\r\n"), ("s", b"250 OK\r\n"),
        ("c", b"DATA\r\n"), ("s", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
        ("c", stuffed(raw) + b".\r\n"), ("s", b"250 OK queued\r\n"), ("c", b"QUIT\r\n"), ("s", b"221 Bye\r\n")])
    refused = conversation(C, 40001, S, 587, [
        ("s", b"220 mail ESMTP\r\n"), ("c", b"EHLO pc01\r\n"), ("s", b"250 AUTH PLAIN\r\n"),
        ("c", b"AUTH PLAIN " + base64.b64encode(b"\0petr\0letmein") + b"\r\n"),
        ("s", b"535 5.7.8 Authentication failed\r\n")])
    pop = conversation(C, 40002, S, 110, [
        ("s", b"+OK POP3 ready\r\n"), ("c", b"USER boss\r\n"), ("s", b"+OK\r\n"), ("c", b"PASS B0ss!\r\n"),
        ("s", b"+OK logged in\r\n"), ("c", b"RETR 1\r\n"),
        ("s", b"+OK %d octets\r\n" % len(raw) + stuffed(raw) + b".\r\n"), ("c", b"QUIT\r\n"), ("s", b"+OK\r\n")])
    imap = conversation(C, 40003, S, 143, [
        ("s", b"* OK [CAPABILITY IMAP4rev1] ready\r\n"), ("c", b'a1 LOGIN boss "pa ss"\r\n'),
        ("s", b"a1 OK LOGIN completed\r\n"), ("c", b"a2 SELECT INBOX\r\n"),
        ("s", b"* 1 EXISTS\r\na2 OK [READ-WRITE] SELECT completed\r\n"), ("c", b"a3 FETCH 1 BODY[]\r\n"),
        ("s", b"* 1 FETCH (BODY[] {%d}\r\n" % len(raw) + raw + b")\r\na3 OK FETCH completed\r\n"),
        ("c", b"a4 LOGOUT\r\n"), ("s", b"* BYE\r\na4 OK\r\n")])
    return capture(tmp_path_factory.mktemp("mail") / "mail.pcap", smtp, refused, pop, imap)


@pytest.fixture(scope="module")
def parsed(mail_pcap):
    found = read_sessions(mail_pcap, ["smtp", "pop3", "imap"])
    return {name: parser.results() for name, parser in found.items()}


def test_smtp_envelope_and_message_headers(parsed):
    session = parsed["smtp"][0]
    assert session.helo == "pc01"
    message = session.messages[0]
    assert (message.mail_from, message.rcpt_to, message.subject, message.message_id) == (
        "ivan@corp.example", ["boss@corp.example"], "Отчёт за март", "<m1@corp.example>")
    assert message.raw == MAIL and ".leading dot line" in message.body


def test_smtp_attachment_is_decoded_with_name_and_hash(parsed):
    attachment = parsed["smtp"][0].messages[0].attachments[0]
    assert (attachment.name, attachment.sha256) == ("invoice.pdf", hashlib.sha256(PAYLOAD).hexdigest())


def test_smtp_auth_login_and_plain_with_outcome(parsed):
    creds = [(c.username, c.password, c.success, c.kind) for s in parsed["smtp"] for c in s.credentials]
    assert creds == [("ivan", "Qwerty#1", True, "AUTH LOGIN"), ("petr", "letmein", False, "AUTH PLAIN")]


def test_pop3_login_and_retrieved_message(parsed):
    session = parsed["pop3"][0]
    assert [(c.username, c.password, c.success) for c in session.credentials] == [("boss", "B0ss!", True)]
    assert session.messages[0].raw == MAIL and session.messages[0].attachments[0].name == "invoice.pdf"


def test_imap_login_with_quoted_password_and_fetched_body(parsed):
    session = parsed["imap"][0]
    assert [(c.username, c.password, c.success) for c in session.credentials] == [("boss", "pa ss", True)]
    assert [m.raw for m in session.messages] == [MAIL]


tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")


@pytest.mark.crosscheck
@tshark
def test_smtp_commands_and_subject_match_tshark(mail_pcap, parsed):
    theirs = tshark_fields(mail_pcap, ["smtp.req.command", "smtp.req.parameter"], "smtp.req.command")
    ours = [[c.command, c.arg] for s in parsed["smtp"] for c in s.commands]
    assert ours == [row + [""] * (2 - len(row)) for row in theirs]
    subjects = tshark_fields(mail_pcap, ["imf.subject"], "imf.subject")
    assert str(make_header(decode_header(subjects[0][0]))) == parsed["smtp"][0].messages[0].subject


@pytest.mark.crosscheck
@tshark
def test_pop_and_imap_requests_match_tshark(mail_pcap, parsed):
    pop = tshark_fields(mail_pcap, ["pop.request.command", "pop.request.parameter"], "pop.request.command")
    assert [[c.command, c.arg] for c in parsed["pop3"][0].commands] == [r + [""] * (2 - len(r)) for r in pop]
    imap = tshark_fields(mail_pcap, ["imap.request"], "imap.request")
    assert [r[0].split(" ", 1)[1] for r in imap] == [
        f"{c.command} {c.arg}".strip() for c in parsed["imap"][0].commands]


def test_cli_smtp_view_lists_the_mail(mail_pcap):
    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    result = CliRunner().invoke(cli, ["net", "smtp", str(mail_pcap), "--json"])
    assert result.exit_code == 0 and "invoice.pdf" in result.output and "AUTH LOGIN" in result.output
