"""Capture methods for client/server services: generic TCP/UDP, FTP, mail, telnet, TLS, uploads.

A mixin of :class:`~forensics_kit.builder.traffic.capture.Capture`: each method
checks nothing itself beyond its arguments' shape, hands a builder from the
protocol module to ``Capture._add`` and returns the session id. The truth of
every session starts with ``type``, ``client``, ``server``, ``client_port``,
``server_port`` and adds what the protocol module describes.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from forensics_kit.builder.traffic.exchange import Message, tcp_exchange_session, udp_exchange_session
from forensics_kit.builder.traffic.ftp import FtpCommand, ftp_session
from forensics_kit.builder.traffic.mail import imap_session, pop3_session, smtp_session
from forensics_kit.builder.traffic.mime import Mail
from forensics_kit.builder.traffic.telnet import telnet_session
from forensics_kit.builder.traffic.tls import tls_session

if TYPE_CHECKING:
    from forensics_kit.builder.traffic.capture import Host


class ServiceSessions:
    """Client/server sessions; needs ``_add`` from :class:`Capture`."""

    def ssh(self, client: Host | str, server: Host | str, *, at: float, outcome: str = "failed",
            attempts: int = 1, lasts: float = 0.0, sport: int | None = None, dport: int = 22,
            server_banner: str | None = None, client_banner: str | None = None, tool: bool = False,
            auth_after: float | None = None, seed: int | None = None, id: str | None = None) -> str:
        """One SSH connection: banners, key exchange, ``attempts`` password tries, ``outcome``.

        Banners default to the hosts' OS (``os:``): the server's OpenSSH, and for the
        client its OpenSSH or, with ``tool``, libssh (what hydra and most guessing tools
        use). Truth: ``tcp_stream``, ``frames``, ``time``, ``end_time``, ``outcome``,
        ``attempts``, ``server_banner``, ``client_banner``, ``client_bytes``, ``server_bytes``.
        """
        import random

        from forensics_kit.builder.traffic.ssh import CLIENT_BANNERS, ssh_messages
        from forensics_kit.builder.world.os_profile import ssh_banner

        if outcome not in ("failed", "accepted"):
            raise ValueError(f"ssh outcome {outcome!r} (known: accepted, failed)")
        hosts = {h.name: h for h in self._hosts.values()}
        server_host = hosts.get(server if isinstance(server, str) else server.name)
        client_host = hosts.get(client if isinstance(client, str) else client.name)
        server_banner = server_banner or ssh_banner(getattr(server_host, "os", None) or "ubuntu-22.04")
        client_banner = client_banner or (CLIENT_BANNERS["libssh"] if tool else
                                          ssh_banner(getattr(client_host, "os", None) or "kali"))

        def build(sid, path, t0):
            rng = random.Random(f"{self.seed}/ssh/{sid}" if seed is None else seed)
            messages = ssh_messages(rng, server_ip=str(path.server.ip), server_banner=server_banner,
                                    client_banner=client_banner, outcome=outcome, attempts=attempts,
                                    lasts=lasts, tool=tool, auth_after=auth_after)
            session = tcp_exchange_session(sid, path, t0, messages=messages, close="client", kind="ssh")
            inner = session.describe

            def describe(frames):
                out = inner(frames)
                out.pop("messages", None)
                out.update(outcome=outcome, attempts=max(1, attempts), server_banner=server_banner,
                           client_banner=client_banner, end_time=frames.time(len(session.packets) - 1))
                return out

            session.describe = describe
            return session

        return self._add("ssh", client, server, at=at, sid=id, dport=dport, sport=sport, build=build)

    def tcp_exchange(self, client: Host | str, server: Host | str, messages: list[Message], *,
                     at: float, dport: int, sport: int | None = None, close: str = "client",
                     retransmit: bool = False, id: str | None = None) -> str:
        """A TCP connection carrying ``messages`` in turn; ``close``: client, server, reset or none.

        Truth: ``tcp_stream``, ``frames``, ``client_bytes``, ``server_bytes`` and per message
        ``side``, ``size``, ``sha256``, ``text`` (if printable) and ``frames`` [first, last].
        """
        return self._add("tcp", client, server, at=at, sid=id, dport=dport, sport=sport,
                         build=partial(tcp_exchange_session, messages=messages, close=close,
                                       retransmit=retransmit))

    def udp_exchange(self, client: Host | str, server: Host | str, messages: list[Message], *,
                     at: float, dport: int, sport: int | None = None, id: str | None = None) -> str:
        """UDP datagrams in turn between two ports; truth gives each message's ``frame``."""
        return self._add("udp", client, server, at=at, sid=id, dport=dport, sport=sport, proto=17,
                         build=partial(udp_exchange_session, messages=messages))

    def ftp(self, client: Host | str, server: Host | str, *, user: str, password: str,
            commands: list[FtpCommand], at: float, login_ok: bool = True, passive: bool = True,
            dport: int = 21, id: str | None = None, moments: dict[str, float] | None = None) -> str:
        """An FTP login and ``commands``; RETR/STOR/LIST open data connections (passive or active).

        Truth: ``user``, ``password``, ``login`` (success/failed), ``user_frame``,
        ``pass_frame``, ``login_reply_frame``, ``tcp_stream`` (control), ``mode``,
        ``commands`` and ``transfers`` (``command``, ``file``, ``direction``, ``size``,
        ``sha256``, ``md5``, ``data_port``, ``tcp_stream``, ``frames``, ``command_frame``,
        ``done_frame``). ``moments`` fix when the client sends each step (see ``ftp_session``).
        """
        return self._add("ftp", client, server, at=at, sid=id, dport=dport,
                         build=partial(ftp_session, user=user, password=password, login_ok=login_ok,
                                       commands=commands, passive=passive, moments=moments))

    def smtp(self, client: Host | str, server: Host | str, *, mail: Mail, at: float, helo: str = "localhost",
             user: str | None = None, password: str | None = None, login_ok: bool = True, dport: int = 25,
             retransmit: bool = False, id: str | None = None) -> str:
        """Sending ``mail`` over SMTP, with AUTH LOGIN when ``user`` is given.

        Truth: ``helo``, ``auth``, ``user``, ``password``, ``login``, ``mail_from``, ``rcpt_to``,
        ``queue_id``, the message's ``from``, ``to``, ``subject``, ``date``, ``message_id``,
        ``body``, ``attachments`` (``name``, ``content_type``, ``size``, ``sha256``, ``md5``),
        ``message_size``, ``message_sha256`` and ``auth_frame``, ``user_frame``, ``pass_frame``,
        ``auth_reply_frame``, ``mail_from_frame``, ``data_frame`` (end of the message), ``queued_frame``.
        """
        return self._add("smtp", client, server, at=at, sid=id, dport=dport,
                         build=partial(smtp_session, helo=helo, mail=mail, user=user, password=password,
                                       login_ok=login_ok, retransmit=retransmit,
                                       server_name=self._looked_up_name(server)))

    def _looked_up_name(self, server: Host | str) -> str | None:
        """The name a DNS session of this capture resolved to the server's address (its greeting name)."""
        ip = self._hosts[server if isinstance(server, str) else server.name].ip
        return next((s.facts["qname"] for s in self._sessions
                     if s.kind == "dns" and ip in s.facts.get("answers", [])), None)

    def pop3(self, client: Host | str, server: Host | str, *, user: str, password: str, at: float,
             mail: Mail | None = None, login_ok: bool = True, dport: int = 110, retransmit: bool = False,
             id: str | None = None) -> str:
        """A POP3 login (USER/PASS) retrieving ``mail``; truth as SMTP's message under ``message``,
        with ``user_frame``, ``pass_frame``, ``login_reply_frame``, ``retr_frame``, ``message_frame``."""
        return self._add("pop3", client, server, at=at, sid=id, dport=dport,
                         build=partial(pop3_session, user=user, password=password, mail=mail,
                                       login_ok=login_ok, retransmit=retransmit))

    def imap(self, client: Host | str, server: Host | str, *, user: str, password: str, at: float,
             mail: Mail | None = None, login_ok: bool = True, dport: int = 143, retransmit: bool = False,
             id: str | None = None) -> str:
        """An IMAP LOGIN, SELECT INBOX and FETCH of ``mail``; truth ``login_frame``, ``login_reply_frame``,
        ``fetch_frame``, ``message_frame`` and the ``message``."""
        return self._add("imap", client, server, at=at, sid=id, dport=dport,
                         build=partial(imap_session, user=user, password=password, mail=mail,
                                       login_ok=login_ok, retransmit=retransmit))

    def telnet(self, client: Host | str, server: Host | str, *, user: str, password: str, at: float,
               commands: list[tuple[str, str]] = (), hostname: str = "srv01", login_ok: bool = True,
               dport: int = 23, retransmit: bool = False, id: str | None = None) -> str:
        """A telnet login typed key by key, then shell ``commands`` as (line, output).

        Truth: ``user``, ``password``, ``hostname``, ``login``, ``commands`` (as given: the closing
        ``exit`` the session types is not among them), ``typed`` (every shell line, ``exit`` included,
        as ``fklab net telnet`` lists them), ``user_frame`` and ``pass_frame`` (the Enter after
        each), ``login_reply_frame``, ``command_frames``.
        """
        return self._add("telnet", client, server, at=at, sid=id, dport=dport,
                         build=partial(telnet_session, user=user, password=password, hostname=hostname,
                                       commands=list(commands), login_ok=login_ok, retransmit=retransmit))

    def tls(self, client: Host | str, server: Host | str, *, sni: str, at: float, version: str = "1.2",
            alpn: list[str] | None = None, issuer: str = "R3", organization: str = "Let's Encrypt",
            valid_days: int = 90, exchanges: list[tuple[int, int]] = ((600, 4000),), dport: int = 443,
            retransmit: bool = False, id: str | None = None, software: str | None = None) -> str:
        """A TLS 1.2 (certificate in clear) or 1.3 handshake for ``sni``, then encrypted ``exchanges``.

        ``software`` is the client program (firefox, chrome, edge, curl, apt, go), which fixes its
        ClientHello and JA3; by default the client host's declared ``browser``, else Firefox.

        Truth: ``sni``, ``client_software``, ``version``, ``alpn``, ``cipher_suite``, ``ja3``, ``ja3_md5``, ``ja3s``,
        ``ja3s_md5``, ``certificate`` (``subject``, ``issuer``, ``serial``, ``not_before``,
        ``not_after``, ``sha256``, ``sha1``), ``certificate_visible``, ``client_hello_frame``,
        ``server_hello_frame``, ``application_bytes_sent``/``_received``.
        """
        if software is None:
            host = self._hosts.get(client) if isinstance(client, str) else client
            software = getattr(host, "browser", None) or "firefox"
        return self._add("tls", client, server, at=at, sid=id, dport=dport,
                         build=partial(tls_session, sni=sni, version=version, alpn=alpn, issuer=issuer,
                                       organization=organization, valid_days=valid_days,
                                       exchanges=list(exchanges), retransmit=retransmit, client=software))
