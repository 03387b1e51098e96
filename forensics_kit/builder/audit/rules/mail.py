"""Mail servers greet with their own name: the host the client looked up, not the recipient's domain.

An SMTP server's ``220`` greeting (and the first line of its EHLO reply) carries its
own host name. When the capture shows the client resolving the server's address,
the greeting is in that name's domain; a submission server the client logs in to
(AUTH) belongs to the sender's provider, so it does not greet as the recipient's
domain. net-03's server of postbox.example.com greeting as the buyer's domain told
the trainee the mail went straight to the recipient.
"""

from __future__ import annotations

import re

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.audit.rules.dns import dns_messages

_GREETING = re.compile(rb"^220[ -](\S+)")
_ADDRESS = re.compile(rb"^(MAIL FROM|RCPT TO):\s*<[^@>]*@([^>]+)>", re.I | re.M)


def _domain(name: str) -> str:
    """The name without its first label (``smtp.postbox.example.com`` -> ``postbox.example.com``)."""
    name = name.rstrip(".").lower()
    return name.split(".", 1)[1] if name.count(".") >= 2 else name


class SmtpGreeting(AuditRule):
    """An SMTP server's greeting names it, in the domain of the name the client resolved for it."""

    name = "smtp-greeting"
    title = {"en": "SMTP servers greet with their own host name", "ru": "SMTP-серверы приветствуют своим именем узла"}
    messages = {
        "looked-up": {"en": "{server} greets as {greeting}, but the client resolved it as {names}",
                      "ru": "{server} приветствует как {greeting}, хотя клиент получил его адрес по имени {names}"},
        "recipient": {"en": "{server} takes the sender's login but greets as {greeting}, the recipient's domain",
                      "ru": "{server} принимает вход отправителя, но приветствует как {greeting} — домен получателя"},
    }

    def check(self, case):
        for entry in case.entries("pcap"):
            names: dict[str, set[str]] = {}
            for _p, message in dns_messages(case, entry["id"]):
                for record in message.answers if message.response else []:
                    if record.type in ("A", "AAAA"):
                        names.setdefault(record.data, set()).add(record.name.rstrip(".").lower())
            flows = case.flows(entry["id"])
            for (proto, src, sport, dst, dport), (first, data) in sorted(flows.items(), key=lambda kv: kv[1][0]):
                match = _GREETING.match(data) if proto == 6 and sport in (25, 587, 465, 2525) else None
                if not match:
                    continue
                greeting = match.group(1).decode("latin-1").lower()
                client = flows.get((proto, dst, dport, src, sport), (0, b""))[1]
                where = f"frame {first}"
                known = names.get(src)
                if known:
                    if greeting not in known and _domain(greeting) not in {_domain(n) for n in known}:
                        yield self.finding(case, entry["id"], where, "looked-up", server=src, greeting=greeting,
                                           names=", ".join(sorted(known)))
                    continue
                addresses = {(k.decode().upper(), d.decode().lower()) for k, d in _ADDRESS.findall(client)}
                senders = {d for k, d in addresses if k == "MAIL FROM"}
                recipients = {d for k, d in addresses if k == "RCPT TO"} - senders
                if b"AUTH " in client and any(greeting == d or _domain(greeting) == d or greeting.endswith("." + d)
                                              for d in recipients):
                    yield self.finding(case, entry["id"], where, "recipient", server=src, greeting=greeting)
