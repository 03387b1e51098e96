"""Mail sessions as Postfix and Dovecot speak them: SMTP submission, POP3 and IMAP retrieval.

All in clear text, so credentials (AUTH LOGIN base64, USER/PASS, LOGIN) and the
message with its attachments are recoverable from the capture, which is the
point of the exercise; truth gives the decoded values and their frames.
"""

from __future__ import annotations

import base64

from forensics_kit.builder.traffic.dialogue import Dialogue
from forensics_kit.builder.traffic.mime import Mail, build_message, dot_stuffed
from forensics_kit.builder.traffic.sessions import Frames, Path, Session
from forensics_kit.errors import RecipeError

_EHLO = ["PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES",
         "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]
_IMAP_CAPS = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN"


def _one_line(item: str, *values: str) -> None:
    for value in values:
        if any(c in value for c in "\r\n\x00"):
            raise RecipeError("traffic", item, f"{value!r} must be one line")


def _dialogue(path: Path, t0: int, retransmit: bool) -> Dialogue:
    return Dialogue(path.client, path.server, t0, rng=path.rng, rtt_us=path.rtt_us, mbps=path.mbps,
                    retransmit=retransmit)


def _session(sid: str, kind: str, conv: Dialogue, facts: dict, frame_marks: tuple[str, ...]) -> Session:
    """A one-connection session whose truth adds the frames of ``frame_marks`` as ``<mark>_frame``."""
    finished = conv.end()
    session = Session(sid, kind, True, finished.packets, finished.marks)

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(facts)
        out.update(tcp_stream=frames.streams["main"], frames=frames.span(), time=frames.time(0))
        for mark in frame_marks:
            if mark in finished.marks:
                out[f"{mark}_frame"] = frames.number(finished.marks[mark])
        return out

    session.describe = describe
    return session


def smtp_session(sid: str, path: Path, t0: int, *, helo: str, mail: Mail, user: str | None = None,
                 password: str | None = None, login_ok: bool = True, retransmit: bool = False,
                 server_name: str | None = None) -> Session:
    """EHLO, optional AUTH LOGIN, MAIL FROM, RCPT TO, DATA (a MIME message), QUIT.

    The server greets with its own host name (``server_name``; default ``mail.`` and the
    sender's domain, the provider a user submits to), never the recipient's.
    """
    item = f"session {sid}"
    _one_line(item, helo, user or "", password or "")
    rng = path.rng
    conv = _dialogue(path, t0, retransmit)
    server_name = server_name or (f"mail.{mail.sender.rpartition('@')[2]}" if "@" in mail.sender else "mail")
    conv.say(False, f"220 {server_name} ESMTP Postfix (Debian/GNU)\r\n".encode(), think_ms=rng.uniform(1, 40))
    conv.say(True, f"EHLO {helo}\r\n".encode(), think_ms=rng.uniform(1, 5))
    caps = [server_name, *_EHLO]
    conv.say(False, "".join(f"250{'-' if i < len(caps) - 1 else ' '}{c}\r\n" for i, c in enumerate(caps)).encode(),
             think_ms=0.5)
    facts: dict = {"helo": helo, "auth": None}
    if user is not None:
        conv.say(True, b"AUTH LOGIN\r\n", think_ms=rng.uniform(1, 5), mark="auth")
        conv.say(False, b"334 VXNlcm5hbWU6\r\n", think_ms=0.4)
        conv.say(True, base64.b64encode(user.encode()) + b"\r\n", think_ms=1, mark="user")
        conv.say(False, b"334 UGFzc3dvcmQ6\r\n", think_ms=0.4)
        conv.say(True, base64.b64encode((password or "").encode()) + b"\r\n", think_ms=1, mark="pass")
        reply = b"235 2.7.0 Authentication successful\r\n" if login_ok else \
            b"535 5.7.8 Error: authentication failed: authentication failure\r\n"
        conv.say(False, reply, think_ms=rng.uniform(5, 60) if login_ok else rng.uniform(1500, 2500),
                 mark="auth_reply")
        facts.update(auth="LOGIN", user=user, password=password, login="success" if login_ok else "failed")
    if login_ok:
        raw, message = build_message(item, mail, (conv.t + 2 * path.rtt_us) // 1_000_000, rng)
        conv.say(True, f"MAIL FROM:<{mail.sender}> SIZE={len(raw)}\r\n".encode(), think_ms=1, mark="mail_from")
        conv.say(False, b"250 2.1.0 Ok\r\n", think_ms=0.5)
        for recipient in mail.recipients:
            conv.say(True, f"RCPT TO:<{recipient}>\r\n".encode(), think_ms=0.5)
            conv.say(False, b"250 2.1.5 Ok\r\n", think_ms=0.5)
        conv.say(True, b"DATA\r\n", think_ms=0.5)
        conv.say(False, b"354 End data with <CR><LF>.<CR><LF>\r\n", think_ms=0.3)
        conv.say(True, dot_stuffed(raw), think_ms=0.5, mark="data")
        queue_id = "".join(rng.choice("0123456789BCDFGHJKLMNPQRSTVWXYZ") for _ in range(10))
        conv.say(False, f"250 2.0.0 Ok: queued as {queue_id}\r\n".encode(), think_ms=rng.uniform(2, 30),
                 mark="queued")
        facts.update(mail_from=mail.sender, rcpt_to=list(mail.recipients), queue_id=queue_id, **message)
    conv.say(True, b"QUIT\r\n", think_ms=rng.uniform(0.5, 5))
    conv.say(False, b"221 2.0.0 Bye\r\n", think_ms=0.3)
    conv.close(False, after_ms=0.2)
    return _session(sid, "smtp", conv, facts, ("auth", "user", "pass", "auth_reply", "mail_from", "data", "queued"))


def pop3_session(sid: str, path: Path, t0: int, *, user: str, password: str, mail: Mail | None,
                 login_ok: bool = True, retransmit: bool = False) -> Session:
    """USER/PASS, then STAT, LIST, RETR 1 of ``mail`` (if any), QUIT."""
    item = f"session {sid}"
    _one_line(item, user, password)
    rng = path.rng
    conv = _dialogue(path, t0, retransmit)
    conv.say(False, b"+OK Dovecot (Debian) ready.\r\n", think_ms=rng.uniform(1, 20))
    conv.say(True, f"USER {user}\r\n".encode(), think_ms=rng.uniform(1, 5), mark="user")
    conv.say(False, b"+OK\r\n", think_ms=0.3)
    conv.say(True, f"PASS {password}\r\n".encode(), think_ms=1, mark="pass")
    reply = b"+OK Logged in.\r\n" if login_ok else b"-ERR [AUTH] Authentication failed.\r\n"
    conv.say(False, reply, think_ms=rng.uniform(5, 40) if login_ok else rng.uniform(1500, 2500), mark="login_reply")
    facts: dict = {"user": user, "password": password, "login": "success" if login_ok else "failed"}
    if login_ok:
        count = 1 if mail else 0
        raw, message = build_message(item, mail, (t0 - rng.randint(600, 86_400) * 1_000_000) // 1_000_000, rng) \
            if mail else (b"", None)
        conv.say(True, b"STAT\r\n", think_ms=1)
        conv.say(False, f"+OK {count} {len(raw)}\r\n".encode(), think_ms=0.4)
        conv.say(True, b"LIST\r\n", think_ms=1)
        listing = f"+OK {count} messages:\r\n" + ("".join(f"1 {len(raw)}\r\n") if mail else "") + ".\r\n"
        conv.say(False, listing.encode(), think_ms=0.4)
        if mail:
            conv.say(True, b"RETR 1\r\n", think_ms=1, mark="retr")
            conv.say(False, f"+OK {len(raw)} octets\r\n".encode() + dot_stuffed(raw), think_ms=0.5, mark="message")
            facts["message"] = message
    conv.say(True, b"QUIT\r\n", think_ms=rng.uniform(1, 20))
    conv.say(False, b"+OK Logging out.\r\n", think_ms=0.3)
    conv.close(False, after_ms=0.2)
    return _session(sid, "pop3", conv, facts, ("user", "pass", "login_reply", "retr", "message"))


def _imap_string(value: str) -> str:
    """An IMAP astring: atoms as they are, anything else quoted."""
    if value and all(c.isalnum() or c in "._-@" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_session(sid: str, path: Path, t0: int, *, user: str, password: str, mail: Mail | None,
                 login_ok: bool = True, retransmit: bool = False) -> Session:
    """LOGIN, SELECT INBOX, FETCH 1 BODY[] of ``mail`` (if any), LOGOUT."""
    item = f"session {sid}"
    _one_line(item, user, password)
    rng = path.rng
    conv = _dialogue(path, t0, retransmit)
    conv.say(False, f"* OK [CAPABILITY {_IMAP_CAPS}] Dovecot (Debian) ready.\r\n".encode(), think_ms=rng.uniform(1, 20))
    conv.say(True, f"a001 LOGIN {_imap_string(user)} {_imap_string(password)}\r\n".encode(),
             think_ms=rng.uniform(1, 5), mark="login")
    reply = b"a001 OK Logged in\r\n" if login_ok else b"a001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
    conv.say(False, reply, think_ms=rng.uniform(5, 40) if login_ok else rng.uniform(1500, 2500), mark="login_reply")
    facts: dict = {"user": user, "password": password, "login": "success" if login_ok else "failed"}
    tag = 2
    if login_ok:
        count = 1 if mail else 0
        conv.say(True, b"a002 SELECT INBOX\r\n", think_ms=1)
        conv.say(False, (f"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* {count} EXISTS\r\n"
                         f"* 0 RECENT\r\n* OK [UIDVALIDITY {t0 // 1_000_000 - 86_400 * 30}] UIDs valid\r\n"
                         "a002 OK [READ-WRITE] Select completed.\r\n").encode(), think_ms=0.5)
        tag = 3
        if mail:
            raw, message = build_message(item, mail, (t0 - rng.randint(600, 86_400) * 1_000_000) // 1_000_000, rng)
            conv.say(True, b"a003 FETCH 1 BODY[]\r\n", think_ms=1, mark="fetch")
            conv.say(False, f"* 1 FETCH (BODY[] {{{len(raw)}}}\r\n".encode() + raw
                     + b")\r\na003 OK Fetch completed.\r\n", think_ms=0.5, mark="message")
            facts["message"] = message
            tag = 4
    conv.say(True, f"a{tag:03d} LOGOUT\r\n".encode(), think_ms=rng.uniform(1, 20))
    conv.say(False, f"* BYE Logging out\r\na{tag:03d} OK Logout completed.\r\n".encode(), think_ms=0.3)
    conv.close(False, after_ms=0.2)
    return _session(sid, "imap", conv, facts, ("login", "login_reply", "fetch", "message"))
