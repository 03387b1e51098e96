"""Traffic session types: each ``sessions:`` entry of a capture recipe is one call of the generator.

A session type checks its rendered entry and calls the matching method of
:class:`forensics_kit.builder.traffic.Capture`; adding a protocol is one class here
plus its keys in ``recipe.schema.json``.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from forensics_kit.builder.artefact import BuildContext, Location
from forensics_kit.builder.content import make_content
from forensics_kit.builder.parameters import parse_duration
from forensics_kit.builder.registry import Registered
from forensics_kit.builder.world.http_clients import form_boundary

if TYPE_CHECKING:
    from forensics_kit.builder.traffic import Capture, Host

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0"
)
_CONTENT_TYPES = {
    "text": "text/plain",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
    "jpeg": "image/jpeg",
    "bytes": "application/octet-stream",
}


class SessionType(Registered):
    """Contract: ``add(capture, hosts, spec, context, where) -> session id``.

    ``spec`` is rendered; ``where`` locates it in the recipe for errors; ``at`` in
    the spec is the start in seconds (or a duration like ``"1m5s"``) after the
    capture start.
    """

    kind: ClassVar[str] = "session type"
    registry: ClassVar[dict[str, type[Registered]]] = {}

    @abstractmethod
    def add(
        self,
        capture: Capture,
        hosts: dict[str, Host],
        spec: dict[str, Any],
        context: BuildContext,
        where: Location,
    ) -> str:
        """Add the session to the capture and return its id."""


def offset_seconds(
    spec: dict[str, Any], context: BuildContext, where: Location, start: float
) -> float:
    """Seconds after the capture start of a session's ``at``; checked against the window."""
    try:
        at = parse_duration(spec["at"])
    except (TypeError, ValueError) as exc:
        raise context.fail((*where, "at"), str(exc)) from None
    if at < 0:
        raise context.fail((*where, "at"), "a session cannot start before the capture")
    window = context.recipe.window
    if window and not window[0] <= start + at <= window[1]:
        raise context.fail((*where, "at"), "the session time is outside the case window")
    return at


class DnsSession(SessionType):
    """A DNS query over UDP and its answer (A records)."""

    name = "dns"

    def add(self, capture, hosts, spec, context, where):
        at = offset_seconds(spec, context, where, capture.start_us / 1e6)
        answers = [str(answer) for answer in spec["answers"]]
        return capture.dns_lookup(
            hosts[spec["client"]],
            hosts[spec["server"]],
            str(spec["qname"]),
            answers,
            at=at,
            qtype=spec.get("qtype", "A"),
            id=spec["id"],
            upstream=hosts[spec["upstream"]] if "upstream" in spec else None,
        )


class HttpGetSession(SessionType):
    """A TCP connection with one HTTP GET and its response carrying generated content."""

    name = "http_get"

    def add(self, capture, hosts, spec, context, where):
        at = offset_seconds(spec, context, where, capture.start_us / 1e6)
        content = spec["content"]
        body = make_content(content, context.rng("session", spec["id"]))
        kind = "text" if "text" in content else content["generate"]
        return capture.http_get(
            hosts[spec["client"]],
            hosts[spec["server"]],
            host=str(spec["host"]),
            uri=str(spec["uri"]),
            body=body,
            content_type=spec.get("content_type", _CONTENT_TYPES[kind]),
            at=at,
            user_agent=str(spec.get("user_agent", DEFAULT_USER_AGENT)),
            status=spec.get("status", 200),
            dport=spec.get("port", 80),
            chunked=spec.get("chunked", False),
            gzip=spec.get("gzip", False),
            id=spec["id"],
        )


def _ends(capture: Capture, hosts: dict[str, Host], spec: dict[str, Any], context: BuildContext,
          where: Location) -> dict[str, Any]:
    """Arguments every session has: client and server hosts, start, id."""
    return {"client": hosts[spec["client"]], "server": hosts[spec["server"]], "id": spec["id"],
            "at": offset_seconds(spec, context, where, capture.start_us / 1e6)}


def _content(spec: dict[str, Any], context: BuildContext, *parts: str) -> bytes:
    """Bytes of a ``content`` entry, from a generator of their own (stable when others change)."""
    return make_content(spec, context.rng("session", *parts))


def _optional(spec: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: spec[key] for key in keys if key in spec}


def _messages(spec: dict[str, Any], context: BuildContext) -> list:
    from forensics_kit.builder.traffic.exchange import Message

    return [Message(m["side"], str(m["text"]).encode("utf-8") if "text" in m
                    else _content(m["content"], context, spec["id"], str(n)), float(m.get("think_ms", 50)))
            for n, m in enumerate(spec["messages"])]


class TcpSession(SessionType):
    """A TCP connection carrying client/server messages in turn (any line or binary protocol)."""

    name = "tcp"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        return capture.tcp_exchange(ends.pop("client"), ends.pop("server"), _messages(spec, context),
                                    dport=spec["port"], **ends, **_optional(spec, "close", "retransmit"))


class SshSession(SessionType):
    """One SSH connection (banners, key exchange, password attempts) that fails or opens a shell."""

    name = "ssh"

    def add(self, capture, hosts, spec, context, where):
        lasts = spec.get("lasts", 0)
        try:
            lasts = parse_duration(lasts)
        except (TypeError, ValueError) as exc:
            raise context.fail((*where, "lasts"), str(exc)) from None
        return capture.ssh(**_ends(capture, hosts, spec, context, where), outcome=spec.get("outcome", "failed"),
                           attempts=int(spec.get("attempts", 1)), lasts=lasts, sport=spec.get("client_port"),
                           dport=int(spec.get("port", 22)), server_banner=spec.get("server_banner"),
                           client_banner=spec.get("client_banner"), tool=bool(spec.get("tool", False)),
                           auth_after=spec.get("auth_after"), seed=spec.get("seed"))


class UdpSession(SessionType):
    """UDP datagrams in turn between two ports."""

    name = "udp"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        return capture.udp_exchange(ends.pop("client"), ends.pop("server"), _messages(spec, context),
                                    dport=spec["port"], **ends)


class FtpSession(SessionType):
    """An FTP login and commands; RETR/STOR files come from ``content`` generators."""

    name = "ftp"

    def add(self, capture, hosts, spec, context, where):
        from forensics_kit.builder.traffic.ftp import FtpCommand

        commands = [FtpCommand(c["command"], str(c.get("arg", "")),
                               _content(c["content"], context, spec["id"], str(n)) if "content" in c else b"")
                    for n, c in enumerate(spec.get("commands", []))]
        return capture.ftp(**_ends(capture, hosts, spec, context, where), user=str(spec["user"]),
                           password=str(spec["password"]), commands=commands, login_ok=spec.get("login_ok", True),
                           passive=spec.get("mode", "passive") == "passive", dport=spec.get("port", 21),
                           moments=spec.get("moments"))


def _mail(spec: dict[str, Any], context: BuildContext, session_id: str):
    from forensics_kit.builder.traffic.mime import Attachment, Mail

    attachments = [Attachment(str(a["name"]), _content(a["content"], context, session_id, "attachment", str(n)),
                              str(a.get("content_type", "application/octet-stream")))
                   for n, a in enumerate(spec.get("attachments", []))]
    return Mail(str(spec["from"]), [str(r) for r in spec["to"]], str(spec["subject"]), str(spec.get("body", "")),
                attachments, str(spec.get("from_name", "")))


class SmtpSession(SessionType):
    """A mail sent over SMTP (optionally AUTH LOGIN) with a MIME body and attachments."""

    name = "smtp"

    def add(self, capture, hosts, spec, context, where):
        mail = _mail(spec["mail"], context, spec["id"])
        return capture.smtp(**_ends(capture, hosts, spec, context, where), mail=mail, dport=spec.get("port", 25),
                            **_optional(spec, "helo", "user", "password", "login_ok", "retransmit"))


class Pop3Session(SessionType):
    """A POP3 login retrieving one mail (if ``mail`` is given)."""

    name = "pop3"
    port = 110

    def add(self, capture, hosts, spec, context, where):
        mail = _mail(spec["mail"], context, spec["id"]) if "mail" in spec else None
        write = getattr(capture, self.name)  # Capture.pop3 / Capture.imap
        return write(**_ends(capture, hosts, spec, context, where), user=str(spec["user"]),
                     password=str(spec["password"]), mail=mail, dport=spec.get("port", self.port),
                     **_optional(spec, "login_ok", "retransmit"))


class ImapSession(Pop3Session):
    """An IMAP login fetching one mail (if ``mail`` is given)."""

    name = "imap"
    port = 143


class TelnetSession(SessionType):
    """A telnet login typed key by key, then shell commands with their output."""

    name = "telnet"

    def add(self, capture, hosts, spec, context, where):
        commands = [(str(c["command"]), str(c.get("output", ""))) for c in spec.get("commands", [])]
        return capture.telnet(**_ends(capture, hosts, spec, context, where), user=str(spec["user"]),
                              password=str(spec["password"]), commands=commands, dport=spec.get("port", 23),
                              **_optional(spec, "hostname", "login_ok", "retransmit"))


class TlsSession(SessionType):
    """A TLS handshake for a server name (certificate in clear for 1.2), then encrypted records."""

    name = "tls"

    def add(self, capture, hosts, spec, context, where):
        exchanges = [(int(e["request"]), int(e["response"])) for e in spec.get("exchanges", [])] or [(600, 4000)]
        return capture.tls(**_ends(capture, hosts, spec, context, where), sni=str(spec["sni"]),
                           exchanges=exchanges, dport=spec.get("port", 443),
                           **_optional(spec, "version", "alpn", "issuer", "organization", "valid_days", "retransmit",
                                       "software"))


class HttpPostSession(SessionType):
    """An HTTP POST: a form (``form``) or a multipart file upload (``upload``)."""

    name = "http_post"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        if "upload" in spec:
            upload = spec["upload"]
            agent = str(spec.get("user_agent", DEFAULT_USER_AGENT))
            boundary = form_boundary(agent, context.rng("session", spec["id"], "boundary"))  # the client's own
            data = _content(upload["content"], context, spec["id"])
            field_name = str(upload.get("field", "file"))
            file_type = upload.get("content_type", "application/octet-stream")
            part = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
                    f'filename="{upload["name"]}"\r\nContent-Type: {file_type}\r\n\r\n').encode()
            part += data + f"\r\n--{boundary}--\r\n".encode()
            body, body_type = part, f"multipart/form-data; boundary={boundary}"
        else:
            body, body_type = str(spec["form"]).encode("utf-8"), "application/x-www-form-urlencoded"
        sid = capture.http_post(ends["client"], ends["server"], host=str(spec["host"]), uri=str(spec["uri"]),
                                data=body, data_type=body_type, at=ends["at"], id=ends["id"],
                                user_agent=str(spec.get("user_agent", DEFAULT_USER_AGENT)),
                                body=str(spec.get("response", "OK")).encode("utf-8"), content_type="text/plain",
                                status=spec.get("status", 200), dport=spec.get("port", 80),
                                retransmit=spec.get("retransmit", False))
        if "upload" in spec:
            capture.annotate(sid, upload_name=str(spec["upload"]["name"]), upload_size=len(data),
                             upload_sha256=hashlib.sha256(data).hexdigest())
        return sid
