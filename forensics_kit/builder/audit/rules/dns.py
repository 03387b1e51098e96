"""DNS answers a whois check believes, and LAN resolvers that behave like resolvers.

- ``dns-owner``: an answer for a name whose real owner is known (Google, Microsoft,
  GitHub...) lies in that owner's networks; a name reserved for examples
  (``*.example.net``, ``*.test``) answers from a documentation range (RFC 5737,
  RFC 3849) or a private network. Either may also come from the documentation
  ranges, which a recipe uses for invented servers.
- ``dns-upstream``: a DNS server on the LAN that answers a public name it does not
  own has asked some server for it first (once per name: later answers come from its
  cache), as a tap on that LAN would see; and the other way round, a LAN DNS server
  asks another server only when the recipe declares it a forwarding resolver
  (``forwards_dns_to`` on the host), and then the server it declares. The LAN's
  router (the MAC Internet hosts' packets arrive from) is left out: it forwards from
  its outside interface, which the tap does not see.
"""

from __future__ import annotations

import ipaddress

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.template import render
from forensics_kit.builder.world import is_lan_address
from forensics_kit.builder.world.dns_owners import is_documentation, is_reserved_name, owner_of

_LOCAL_SUFFIXES = ("local", "lan", "internal", "home.arpa", "corp", "intranet", "in-addr.arpa", "ip6.arpa",
                   "localdomain")


def dns_messages(case, evidence):
    """``(packet, message)`` of every DNS message over UDP port 53 of a capture that parses."""
    from forensics_kit.net.dns_wire import DnsFormatError, parse_message

    for p in case.packets(evidence):
        if p.proto != 17 or 53 not in (p.sport, p.dport) or not p.payload:
            continue
        try:
            yield p, parse_message(p.payload)
        except (DnsFormatError, ValueError, IndexError):
            continue


class DnsAnswerOwner(AuditRule):
    """A-record answers point into the networks of the name's real owner (or a documentation range)."""

    name = "dns-owner"
    title = {"en": "DNS answers point into the networks of the name's real owner",
             "ru": "ответы DNS указывают в сети настоящего владельца имени"}
    messages = {
        "owner": {"en": "{qname} answered with {address}, which is not {owner}'s (nor a documentation range)",
                  "ru": "на {qname} дан ответ {address}, а это адрес не {owner} (и не документационный диапазон)"},
        "reserved": {"en": "{qname} is a reserved example name but answered with the public address {address}",
                     "ru": "{qname} — зарезервированное имя для примеров, но ответ — публичный адрес {address}"},
    }

    def check(self, case):
        for entry in case.entries("pcap"):
            seen = set()
            for p, message in dns_messages(case, entry["id"]):
                if not message.response:
                    continue
                for record in message.answers:
                    if record.type not in ("A", "AAAA") or (record.name, record.data) in seen:
                        continue
                    seen.add((record.name, record.data))
                    yield from self._answer(case, entry["id"], p, record)

    def _answer(self, case, evidence, p, record):
        try:
            address = ipaddress.ip_address(record.data)
        except ValueError:
            return
        where = f"frame {p.number}"
        if is_documentation(record.data):
            return
        owner = owner_of(record.name)
        if owner is not None:
            if not any(address.version == n.version and address in n for n in owner.networks):
                yield self.finding(case, evidence, where, "owner", qname=record.name, address=record.data,
                                   owner=owner.name)
        elif is_reserved_name(record.name) and address.is_global:
            yield self.finding(case, evidence, where, "reserved", qname=record.name, address=record.data)


class DnsUpstream(AuditRule):
    """A LAN DNS server asks upstream before it first answers a public name it does not own."""

    name = "dns-upstream"
    title = {"en": "a LAN DNS server asks upstream for public names it does not own",
             "ru": "DNS-сервер в ЛВС запрашивает вышестоящий сервер об именах вне своих зон"}
    messages = {
        "silent": {
            "en": "the LAN DNS server {server} answers {n} public name(s) without asking any server first: {names}",
            "ru": "DNS-сервер ЛВС {server} отвечает на {n} публичных имён(и), ни разу не спросив другой сервер: "
                  "{names}"},
        "undeclared": {
            "en": "the LAN DNS server {server} asks {upstream} for {name} but the recipe does not declare it a "
                  "forwarding resolver (forwards_dns_to)",
            "ru": "DNS-сервер ЛВС {server} спрашивает {upstream} об имени {name}, но в рецепте он не объявлен "
                  "пересылающим резолвером (forwards_dns_to)"},
        "elsewhere": {
            "en": "the LAN DNS server {server} asks {upstream} for {name}, not the server it forwards to ({declared})",
            "ru": "DNS-сервер ЛВС {server} спрашивает {upstream} об имени {name}, а не сервер, которому он "
                  "пересылает запросы ({declared})"},
    }

    def check(self, case):
        for entry in case.entries("pcap"):
            yield from self._forwarding(case, entry)
            routers = {p.src_mac for p in case.packets(entry["id"]) if not is_lan_address(p.src)}
            macs = {p.src: p.src_mac for p in case.packets(entry["id"])}
            asked: dict[str, set[str]] = {}  # resolver -> names it has asked about so far
            silent: dict[str, list[tuple[int, str]]] = {}
            pending: dict[tuple[str, str], int] = {}  # (resolver, name) -> frame of the first client query
            for p, message in dns_messages(case, entry["id"]):
                name = message.questions[0][0].rstrip(".").lower() if message.questions else ""
                if not name:
                    continue
                if not message.response and p.dport == 53:
                    asked.setdefault(p.src, set()).add(name)
                    pending.setdefault((p.dst, name), p.number)
                    continue
                server = p.src
                if (not message.response or not is_lan_address(server) or not message.answers or macs[server] in routers
                        or name.endswith(_LOCAL_SUFFIXES) or "." not in name or name in asked.get(server, set())):
                    continue
                if not any(r.type in ("A", "AAAA") and not is_lan_address(r.data) for r in message.answers):
                    continue  # a LAN name the server owns
                asked.setdefault(server, set()).add(name)  # cached from now on
                silent.setdefault(server, []).append((pending.get((server, name), p.number), name))
            for server, names in sorted(silent.items()):
                first = min(frame for frame, _ in names)
                shown = ", ".join(sorted({n for _, n in names})[:5]) + (", ..." if len(names) > 5 else "")
                yield self.finding(case, entry["id"], f"host {server} (frame {first})", "silent", server=server,
                                   n=len({n for _, n in names}), names=shown)

    def _forwarding(self, case, entry):
        """Findings for LAN DNS servers that ask another server without being declared forwarders of it."""
        hosts = dict(entry.get("hosts", {}))
        if entry.get("timeline"):
            world = render(case.recipe.data.get("world", {}), case.truth["parameters"]).get("hosts", {})
            hosts = {**world, **hosts}
        ips = {name: str(h.get("ip")) for name, h in hosts.items()}
        declared = {ips[name]: ips.get(str(h["forwards_dns_to"]), "?") for name, h in hosts.items()
                    if h.get("forwards_dns_to")}
        routers = {p.src_mac for p in case.packets(entry["id"]) if not is_lan_address(p.src)}
        servers = {p.src for p, m in dns_messages(case, entry["id"]) if m.response and p.sport == 53}
        reported = set()
        for p, message in dns_messages(case, entry["id"]):
            if (message.response or p.dport != 53 or p.src not in servers or not is_lan_address(p.src)
                    or p.src_mac in routers or not message.questions):
                continue
            name = message.questions[0][0].rstrip(".").lower()
            key = (p.src, p.dst)
            if key in reported:
                continue
            if p.src not in declared:
                reported.add(key)
                yield self.finding(case, entry["id"], f"host {p.src} (frame {p.number})", "undeclared",
                                   server=p.src, upstream=p.dst, name=name)
            elif declared[p.src] != p.dst:
                reported.add(key)
                yield self.finding(case, entry["id"], f"host {p.src} (frame {p.number})", "elsewhere",
                                   server=p.src, upstream=p.dst, name=name, declared=declared[p.src])
