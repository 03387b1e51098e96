"""TTL and hop rules of a capture: one TTL per sender, its OS's initial TTL minus its hops.

Every stack starts its packets at one initial TTL (Linux and macOS 64, Windows
128, network gear 255) and each router on the way takes one off. At one capture
point a host's packets therefore all carry the same TTL; a host on the capture's
LAN arrives with the initial value itself, and nothing from the Internet does.
Which hosts are local, and any declared ``os`` and ``hops``, come from the
recipe's hosts; an address the recipe does not declare is judged by its range.
Multicast and broadcast packets are left out (mDNS uses 255, SSDP 2 or 4).
A packet whose source MAC is not the host's usual one was forwarded by another
machine (a router, an ARP spoofer): it must carry a lower TTL than the host's own.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.world import INITIAL_TTLS, initial_ttl, is_lan_address


def _senders(case, entry):
    """``{(ip, mac): Counter(ttl)}`` and each IP's usual MAC, over unicast packets."""
    ttls: dict[tuple[str, str], Counter] = defaultdict(Counter)
    first: dict[tuple[str, str, int], int] = {}
    for p in case.packets(entry["id"]):
        if p.group:
            continue
        ttls[(p.src, p.src_mac)][p.ttl] += 1
        first.setdefault((p.src, p.src_mac, p.ttl), p.number)
    usual: dict[str, str] = {}
    for (ip, mac), counts in sorted(ttls.items()):
        if ip not in usual or sum(counts.values()) > sum(ttls[(ip, usual[ip])].values()):
            usual[ip] = mac
    return ttls, usual, first


def _declared(entry) -> dict[str, dict]:
    return {str(h["ip"]): h for h in entry.get("hosts", {}).values()}


class TtlConstant(AuditRule):
    """A sender (IP and MAC) uses one TTL in every packet it sends past the capture point."""

    name = "ttl-constant"
    title = {"en": "each host's packets carry one TTL", "ru": "у пакетов каждого узла один TTL"}
    messages = {"many": {"en": "{ip} sends TTLs {ttls} (first frames {frames})",
                         "ru": "{ip} отправляет пакеты с TTL {ttls} (первые кадры {frames})"}}

    def check(self, case):
        for entry in case.entries("pcap"):
            ttls, _usual, first = _senders(case, entry)
            for (ip, mac), counts in sorted(ttls.items()):
                if len(counts) > 1:
                    values = sorted(counts)
                    yield self.finding(case, entry["id"], f"host {ip} ({mac})", "many", ip=ip,
                                       ttls=", ".join(map(str, values)),
                                       frames=", ".join(str(first[(ip, mac, t)]) for t in values))


class TtlHops(AuditRule):
    """A sender's TTL is its OS's initial TTL minus its hops: initial on the LAN, lower from the Internet."""

    name = "ttl-hops"
    title = {"en": "TTL = the OS's initial TTL minus the hops to the capture point",
             "ru": "TTL = начальный TTL ОС минус число переходов до точки съёма"}
    messages = {
        "undecremented": {
            "en": "{ip} is on the Internet but arrives with TTL {ttl}, an initial value no router has decremented",
            "ru": "{ip} находится в Интернете, но приходит с TTL {ttl} — начальным значением, "
                  "которое не уменьшил ни один маршрутизатор"},
        "lan": {"en": "{ip} is on the capture's LAN but arrives with TTL {ttl} (expected {expected})",
                "ru": "{ip} находится в локальной сети точки съёма, но приходит с TTL {ttl} (ожидалось {expected})"},
        "os": {"en": "{ip} runs {os} (initial TTL {initial}) and is {hops} hops away, so TTL {expected}, not {ttl}",
               "ru": "{ip} работает под {os} (начальный TTL {initial}), до него {hops} переходов: "
                     "TTL должен быть {expected}, а не {ttl}"},
        "far": {"en": "{ip} arrives with TTL {ttl}: more than 40 hops below any initial TTL",
                "ru": "{ip} приходит с TTL {ttl}: более 40 переходов от любого начального TTL"},
        "forwarded": {"en": "{ip} forwarded by {mac} with TTL {ttl}, not below the host's own {own}",
                      "ru": "пакеты {ip}, пересланные через {mac}, имеют TTL {ttl}, не меньше собственного {own}"},
    }

    def check(self, case):
        for entry in case.entries("pcap"):
            declared = _declared(entry)
            ttls, usual, _first = _senders(case, entry)
            for (ip, mac), counts in sorted(ttls.items()):
                ttl = counts.most_common(1)[0][0]
                where = f"host {ip} ({mac})"
                if usual[ip] != mac:
                    own = ttls[(ip, usual[ip])].most_common(1)[0][0]
                    if ttl >= own:
                        yield self.finding(case, entry["id"], where, "forwarded", ip=ip, mac=mac, ttl=ttl, own=own)
                    continue
                yield from self._own(case, entry["id"], where, ip, ttl, declared.get(ip, {}))

    def _own(self, case, evidence, where, ip, ttl, host):
        hops = host.get("hops")
        local = is_lan_address(ip) if hops is None else int(hops) == 0
        if host.get("os"):
            initial = initial_ttl(ip, host["os"])
            if hops is not None and ttl != initial - int(hops):
                yield self.finding(case, evidence, where, "os", ip=ip, os=host["os"], initial=initial,
                                   hops=int(hops), expected=initial - int(hops), ttl=ttl)
                return
            if local and ttl != initial:
                yield self.finding(case, evidence, where, "os", ip=ip, os=host["os"], initial=initial,
                                   hops=0, expected=initial, ttl=ttl)
                return
        if local:
            if ttl not in INITIAL_TTLS:
                yield self.finding(case, evidence, where, "lan", ip=ip, ttl=ttl,
                                   expected=" or ".join(map(str, INITIAL_TTLS)))
        elif ttl in INITIAL_TTLS:
            yield self.finding(case, evidence, where, "undecremented", ip=ip, ttl=ttl)
        elif min(i - ttl for i in INITIAL_TTLS if i > ttl) > 40:
            yield self.finding(case, evidence, where, "far", ip=ip, ttl=ttl)
