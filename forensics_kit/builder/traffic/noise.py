"""Background noise: the everyday chatter of a small LAN, at a chosen average rate.

A noise session fills a time span with exchanges a trainee must learn to look
past: DNS lookups of common domains (answered), small plain-HTTP GETs
(connectivity checks, a CRL download), HTTPS to the same sites (TLS 1.3 with SNI;
a Linux machine's package manager with apt's ClientHello), NTP time syncs (Windows'
W32Time to time.windows.com, Linux to pool.ntp.org), ARP who-has/is-at,
NetBIOS name queries (broadcast; answered when the name is a LAN machine's),
mDNS service queries, SSDP M-SEARCHes and LLMNR name queries (multicast), and DHCP
lease renewals (a unicast DHCPREQUEST to the gateway and its DHCPACK). Exchange start times are
a seeded Poisson process conditioned on the count ``round(rate x duration)``:
the spacing looks random, the rate is exact.

Remote servers sit behind the LAN gateway, so their frames carry the gateway's
MAC, as a tap on the LAN sees them. Ports are reserved in the capture like any
other session's, so noise never shares a 5-tuple with the case's sessions.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
import struct
from collections.abc import Callable
from dataclasses import dataclass, replace

from forensics_kit.builder.traffic.dns_message import encode_name
from forensics_kit.builder.traffic.frames import Endpoint, arp_frame, udp_frame
from forensics_kit.builder.traffic.sessions import Frames, Path, Session, dns_session, http_session
from forensics_kit.builder.traffic.tls import tls_session
from forensics_kit.builder.world.dns_owners import owner_address

KINDS = ("dns", "http", "tls", "ntp", "arp", "netbios", "mdns", "ssdp", "llmnr", "dhcp")
_WEIGHTS = {"dns": 30, "http": 10, "tls": 15, "ntp": 5, "arp": 20, "netbios": 10, "mdns": 15, "ssdp": 10,
            "llmnr": 8, "dhcp": 1}
_LLMNR = Endpoint(bytes.fromhex("01005e0000fc"), ipaddress.IPv4Address("224.0.0.252"), 5355, 1)
BROADCAST = b"\xff" * 6
_MDNS = Endpoint(bytes.fromhex("01005e0000fb"), ipaddress.IPv4Address("224.0.0.251"), 5353, 255)
_SSDP = Endpoint(bytes.fromhex("01005e7ffffa"), ipaddress.IPv4Address("239.255.255.250"), 1900, 4)
_NTP_EPOCH = 2_208_988_800  # seconds from 1900 to 1970
_WIN_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0"
_CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/123.0.0.0 Safari/537.36")

DOMAINS = (
    "www.google.com", "www.youtube.com", "www.wikipedia.org", "login.microsoftonline.com",
    "update.googleapis.com", "www.msftconnecttest.com", "detectportal.firefox.com", "ocsp.digicert.com",
    "settings-win.data.microsoft.com", "api.github.com", "www.bing.com", "outlook.office365.com",
    "clients4.google.com", "ctldl.windowsupdate.com", "fe2cr.update.microsoft.com", "v10.events.data.microsoft.com",
)
# what a Linux machine looks up by itself (a Windows one looks up any of DOMAINS)
_LINUX_DOMAINS = ("connectivity-check.ubuntu.com", "deb.debian.org", "security.ubuntu.com", "api.github.com",
                  "pool.ntp.org", "www.google.com")
# (host, uri, user agent, status, content type, body); a body of None is a few seeded bytes.
# _PAGES are what Windows desktops fetch by themselves; _LINUX_PAGES what a Linux machine does.
_PAGES = (
    ("www.msftconnecttest.com", "/connecttest.txt", "Microsoft NCSI", 200, "text/plain", b"Microsoft Connect Test"),
    ("detectportal.firefox.com", "/success.txt?ipv4", _WIN_UA, 200, "text/plain", b"success\n"),  # Firefox only
    ("detectportal.firefox.com", "/canonical.html", _WIN_UA, 200, "text/html",
     b'<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>'),
    ("ctldl.windowsupdate.com", "/msdownload/update/v3/static/trustedr/en/authrootstl.cab",
     "Microsoft-CryptoAPI/10.0", 200, "application/vnd.ms-cab-compressed", None),
    ("example.com", "/", _WIN_UA, 200, "text/html; charset=UTF-8",
     b"<!doctype html><html><head><title>Example Domain</title></head><body><h1>Example Domain</h1>"
     b"<p>This domain is for use in illustrative examples in documents.</p></body></html>"),
)
_LINUX_PAGES = (
    ("connectivity-check.ubuntu.com", "/", "Wget/1.21.4", 204, "text/plain", b""),
    ("deb.debian.org", "/debian/dists/bookworm-updates/InRelease", "Debian APT-HTTP/1.3 (2.6.1)", 200,
     "application/octet-stream", None),
)
# HTTPS sites each kind of machine opens by itself
_TLS_SITES = ("www.google.com", "www.youtube.com", "www.wikipedia.org", "login.microsoftonline.com",
              "outlook.office365.com", "www.bing.com", "update.googleapis.com", "settings-win.data.microsoft.com",
              "fe2cr.update.microsoft.com", "v10.events.data.microsoft.com")
# what Windows itself opens (Windows Update, telemetry, settings): its own TLS stack, SChannel, TLS 1.2
_WINDOWS_TLS = ("settings-win.data.microsoft.com", "fe2cr.update.microsoft.com", "v10.events.data.microsoft.com")
_APT_SITES = ("deb.debian.org", "security.ubuntu.com")
_LINUX_TLS_SITES = ("api.github.com", *_APT_SITES)
_MDNS_SERVICES = ("_googlecast._tcp.local", "_spotify-connect._tcp.local", "_ipp._tcp.local",
                  "_airplay._tcp.local", "_services._dns-sd._udp.local")
_SSDP_TARGETS = ("ssdp:all", "urn:dial-multiscreen-org:service:dial:1", "upnp:rootdevice",
                 "urn:schemas-upnp-org:device:InternetGatewayDevice:1")
_NETBIOS_MISSES = ("WPAD", "FILESRV01", "PRINTER", "ISATAP")


@dataclass(frozen=True)
class LanHost:
    """A machine the noise uses: its endpoint (port 0), for generated ones a NetBIOS name, and its OS.

    ``windows`` decides what it says by itself: Windows machines make NCSI and CryptoAPI
    checks, browse with a Windows browser, send NetBIOS and SSDP; Linux ones check
    connectivity and fetch package lists.
    """

    end: Endpoint
    netbios: str | None = None
    windows: bool = True
    browser: str = "firefox"
    user_agent: str | None = None  # what its browser sends, when the recipe gives it


def public_address(seed: int, domain: str, taken: set[str]) -> ipaddress.IPv4Address:
    """A stable public IPv4 address for ``domain`` in this capture, none of ``taken``.

    A name whose real owner is known (:mod:`~forensics_kit.builder.world.dns_owners`)
    gets an address of that owner's networks, so whois agrees with the name.
    """
    owned = owner_address(seed, domain, taken)
    if owned is not None:
        return owned
    digest = hashlib.sha256(f"{seed}/noise-ip/{domain}".encode()).digest()
    prefixes = ((13, 107), (142, 250), (151, 101), (104, 16), (23, 45), (52, 84))
    first, second = prefixes[digest[0] % len(prefixes)]
    value = int.from_bytes(digest[1:3], "big")
    while True:
        address = ipaddress.IPv4Address(f"{first}.{second}.{value >> 8 & 0xFF}.{value & 0xFF or 1}")
        if str(address) not in taken:
            return address
        value += 1


def netbios_name(name: str, suffix: int = 0) -> bytes:
    """First-level encoding (RFC 1001): 15 padded characters and a suffix, each nibble as a letter."""
    raw = name.upper().encode("ascii")[:15].ljust(15) + bytes([suffix])
    encoded = bytes(ch for byte in raw for ch in (0x41 + (byte >> 4), 0x41 + (byte & 0x0F)))
    return bytes([32]) + encoded + b"\x00"


def _ntp_stamp(time_us: int) -> bytes:
    seconds, micros = divmod(time_us, 1_000_000)
    return struct.pack("!II", (seconds + _NTP_EPOCH) & 0xFFFFFFFF, (micros << 32) // 1_000_000)


class NoiseMaker:
    """Builds the packets of one noise session; the capture supplies paths and free ports.

    ``path(sub_id, client, server, proto, dport)`` gives a :class:`Path` with a reserved
    client port; ``port(end, proto, wanted)`` reserves ``wanted`` on that host if it is
    free (else an ephemeral port) and returns it.
    """

    def __init__(self, *, rng: random.Random, lan: list[LanHost], resolver: Endpoint, gateway: Endpoint,
                 servers: dict[str, Endpoint], path: Callable[..., Path],
                 port: Callable[[Endpoint, int, int | None], int], upstream: Endpoint | None = None) -> None:
        self.rng, self.lan, self.resolver, self.upstream, self.gateway = rng, lan, resolver, upstream, gateway
        self._cached: set[str] = set()  # names the LAN resolver already asked upstream for
        infrastructure = (resolver.ip, gateway.ip)
        self.clients = [h for h in lan if h.end.ip not in infrastructure] or lan
        self.windows_clients = [h for h in self.clients if h.windows] or self.clients
        self.servers, self._path, self._port = servers, path, port
        self.entries: list[tuple[int, int, bytes, str | None]] = []  # time, order, frame, TCP stream name
        self.counts: dict[str, int] = {}
        self.qnames: set[str] = set()  # names looked up over port 53
        self._fixed_ports: dict[tuple[str, int], int] = {}

    def _emit(self, packets: list[tuple[int, bytes]], stream: str | None = None) -> None:
        for k, (t, frame) in enumerate(packets):
            self.entries.append((t, len(self.entries), frame, stream if k == 0 else None))

    def _from(self, host: LanHost, proto: int, wanted: int | None) -> Endpoint:
        """The host's endpoint on a fixed port it keeps for the whole session (137, 5353) or a new one."""
        if wanted is None:
            return replace(host.end, port=self._port(host.end, proto, None))
        key = (str(host.end.ip), wanted)
        if key not in self._fixed_ports:
            self._fixed_ports[key] = self._port(host.end, proto, wanted)
        return replace(host.end, port=self._fixed_ports[key])

    def add(self, kind: str, n: int, t: int) -> None:
        """Exchange ``n`` of ``kind`` starting at ``t`` microseconds."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        getattr(self, f"_{kind}")(n, t)

    def _dns(self, n: int, t: int) -> None:
        """A lookup; a LAN resolver that has not seen the name yet asks its upstream server first."""
        chosen = self.rng.choice(self.clients)
        client = chosen.end
        domain = self.rng.choice(DOMAINS if chosen.windows else _LINUX_DOMAINS)
        path = self._path(f"dns-{n}", client, self.resolver, 17, 53)
        answers = [str(self.servers[domain].ip)]
        session = dns_session(f"noise dns {n}", path, t, qname=domain, qtype="A", answers=answers, rcode=0)
        self.qnames.add(domain)
        packets = list(session.packets)
        if self.upstream is not None and domain not in self._cached:
            self._cached.add(domain)
            up_path = self._path(f"dns-up-{n}", self.resolver, self.upstream, 17, 53)
            asked = t + self.rng.randint(80, 400)
            upstream = dns_session(f"noise dns {n} upstream", up_path, asked, qname=domain, qtype="A",
                                   answers=answers, rcode=0).packets
            answered = max(packets[1][0], upstream[1][0] + self.rng.randint(50, 300))
            packets = [packets[0], *upstream, (answered, packets[1][1])]
        self._emit(packets)

    def _http(self, n: int, t: int) -> None:
        chosen = self.rng.choice(self.clients)
        client = chosen.end
        pages = _PAGES if chosen.browser == "firefox" else tuple(p for p in _PAGES if "firefox" not in p[0])
        host, uri, agent, status, content_type, body = self.rng.choice(pages if chosen.windows else _LINUX_PAGES)
        if agent == _WIN_UA:  # a page the person's browser opens: with that browser's User-Agent
            agent = chosen.user_agent or (_WIN_UA if chosen.browser == "firefox" else _CHROME_UA)
        if body is None:
            body = self.rng.randbytes(self.rng.randint(600, 3000))
        path = self._path(f"http-{n}", client, self.servers[host], 6, 80)
        session = http_session(f"noise http {n}", path, t, method="GET", host=host, uri=uri, user_agent=agent,
                               request_body=b"", request_type=None, body=body, content_type=content_type,
                               status=status, chunked=False, gzip=False, extra_headers=None,
                               response_headers=None, retransmit=False)
        self._emit(session.packets, f"http-{n}")

    def _tls(self, n: int, t: int) -> None:
        """An HTTPS visit: Windows machines browse (their browser's ClientHello), Linux ones run curl or apt."""
        chosen = self.rng.choice(self.clients)
        domain = self.rng.choice(_TLS_SITES if chosen.windows else _LINUX_TLS_SITES)
        software = chosen.browser if chosen.windows else "apt" if domain in _APT_SITES else "curl"
        system = chosen.windows and domain in _WINDOWS_TLS
        path = self._path(f"tls-{n}", chosen.end, self.servers[domain], 6, 443)
        exchanges = [(self.rng.randint(300, 900), self.rng.randint(1500, 40_000))
                     for _ in range(self.rng.randint(1, 3))]
        issuer = {"issuer": "Microsoft Azure RSA TLS Issuing CA 04", "organization": "Microsoft Corporation"} \
            if system else {}
        session = tls_session(f"noise tls {n}", path, t, sni=domain, version="1.2" if system else "1.3",
                              exchanges=exchanges, client="schannel" if system else software, **issuer)
        self._emit(session.packets, f"tls-{n}")

    def _ntp(self, n: int, t: int) -> None:
        """A time sync: Windows' W32Time asks time.windows.com (LI 3, NTPv3), Linux asks pool.ntp.org (NTPv4)."""
        chosen = self.rng.choice(self.clients)
        server = "time.windows.com" if chosen.windows else "pool.ntp.org"
        path = self._path(f"ntp-{n}", chosen.end, self.servers[server], 17, 123)
        rng = path.rng
        first = 0xDB if chosen.windows else 0x23  # W32Time: leap 3 (unsynchronised), version 3, client
        request = bytes([first, 0, 0x11 if chosen.windows else 3, 0xE9]) + bytes(36) + _ntp_stamp(t)
        arrive = t + path.rtt_us // 2
        leave = arrive + rng.randint(20, 200)
        reply = (bytes([0x24, 2, 3, 0xE8]) + struct.pack("!II", rng.randint(200, 3000), rng.randint(200, 3000))
                 + rng.randbytes(4) + _ntp_stamp(arrive - rng.randint(10_000_000, 900_000_000))
                 + _ntp_stamp(t) + _ntp_stamp(arrive) + _ntp_stamp(leave))
        self._emit([(t, udp_frame(path.client, path.server, payload=request, ip_id=rng.getrandbits(16))),
                    (leave + path.rtt_us // 2,
                     udp_frame(path.server, path.client, payload=reply, ip_id=rng.getrandbits(16)))])

    def _arp(self, n: int, t: int) -> None:
        asker = self.rng.choice(self.lan)
        others = [h for h in self.lan if h is not asker]
        if not others:
            return
        owner = self.rng.choice(others).end
        request = arp_frame(op=1, sender_mac=asker.end.mac, sender_ip=asker.end.ip, target_mac=bytes(6),
                            target_ip=owner.ip, eth_dst=BROADCAST)
        reply = arp_frame(op=2, sender_mac=owner.mac, sender_ip=owner.ip, target_mac=asker.end.mac,
                          target_ip=asker.end.ip, eth_dst=asker.end.mac)
        self._emit([(t, request), (t + self.rng.randint(200, 1500), reply)])

    def _netbios(self, n: int, t: int) -> None:
        asker = self.rng.choice(self.windows_clients)
        named = [h for h in self.lan if h.netbios and h is not asker]
        owner = self.rng.choice(named) if named and self.rng.random() < 0.6 else None
        name = owner.netbios if owner else self.rng.choice(_NETBIOS_MISSES)
        src = self._from(asker, 17, 137)
        network = ipaddress.IPv4Network(f"{asker.end.ip}/24", strict=False)
        to_all = Endpoint(BROADCAST, network.broadcast_address, 137, 64)
        txid = self.rng.getrandbits(16)
        question = netbios_name(name) + struct.pack("!HH", 0x20, 1)
        query = struct.pack("!HHHHHH", txid, 0x0110, 1, 0, 0, 0) + question
        packets = [(t, udp_frame(src, to_all, payload=query, ip_id=self.rng.getrandbits(16)))]
        if owner is not None:
            answer = (struct.pack("!HHHHHH", txid, 0x8500, 0, 1, 0, 0) + question + struct.pack("!IHH", 300_000, 6, 0)
                      + owner.end.ip.packed)
            packets.append((t + self.rng.randint(300, 2000), udp_frame(
                self._from(owner, 17, 137), replace(src, ttl=128), payload=answer, ip_id=self.rng.getrandbits(16))))
        self._emit(packets)

    def _mdns(self, n: int, t: int) -> None:
        src = replace(self._from(self.rng.choice(self.clients), 17, 5353), ttl=255)
        name = self.rng.choice(_MDNS_SERVICES)
        txid = self.rng.getrandbits(16)  # not RFC 6762's zero: tshark takes a repeated 0 for a retransmission
        query = struct.pack("!HHHHHH", txid, 0, 1, 0, 0, 0) + encode_name(name, "noise") + struct.pack("!HH", 12, 1)
        self._emit([(t, udp_frame(src, _MDNS, payload=query, ip_id=self.rng.getrandbits(16)))])

    def _ssdp(self, n: int, t: int) -> None:
        src = replace(self._from(self.rng.choice(self.windows_clients), 17, None), ttl=4)
        target = self.rng.choice(_SSDP_TARGETS)
        search = (f'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\n'
                  f"MX: {self.rng.choice((1, 2, 3))}\r\nST: {target}\r\n"
                  f"USER-AGENT: Microsoft-Windows/10.0 UPnP/1.0\r\n\r\n").encode("ascii")
        self._emit([(t, udp_frame(src, _SSDP, payload=search, ip_id=self.rng.getrandbits(16)))])

    def _llmnr(self, n: int, t: int) -> None:
        """A Windows machine asking the link (224.0.0.252:5355, TTL 1) for a name DNS did not give it."""
        asker = self.rng.choice(self.windows_clients)
        named = [h for h in self.lan if h.netbios and h is not asker]
        name = (self.rng.choice(named).netbios if named and self.rng.random() < 0.5
                else self.rng.choice(_NETBIOS_MISSES)).lower()
        src = replace(self._from(asker, 17, None), ttl=1)
        query = struct.pack("!HHHHHH", self.rng.getrandbits(16), 0, 1, 0, 0, 0) + encode_name(name, "noise") \
            + struct.pack("!HH", self.rng.choice((1, 28)), 1)
        self._emit([(t, udp_frame(src, _LLMNR, payload=query, ip_id=self.rng.getrandbits(16)))])

    def _dhcp(self, n: int, t: int) -> None:
        """A lease renewal at T1: the client's unicast DHCPREQUEST (68 -> 67) to the gateway and its DHCPACK."""
        chosen = self.rng.choice(self.clients)
        client, server = replace(chosen.end, port=68), replace(self.gateway, port=67)
        xid, mac = self.rng.getrandbits(32), chosen.end.mac
        network = ipaddress.IPv4Network(f"{chosen.end.ip}/24", strict=False)

        def bootp(op: int, yiaddr: bytes, options: bytes) -> bytes:
            return (struct.pack("!BBBBIHH", op, 1, 6, 0, xid, 0, 0) + chosen.end.ip.packed + yiaddr + bytes(8)
                    + mac + bytes(10) + bytes(192) + b"\x63\x82\x53\x63" + options + b"\xff")

        name = (chosen.netbios or f"PC-{str(chosen.end.ip).rsplit('.', 1)[1]}").encode("ascii")
        vendor = b"MSFT 5.0" if chosen.windows else b"udhcp 1.36.1"
        requested = bytes([1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252]) if chosen.windows \
            else bytes([1, 3, 6, 12, 15, 28, 42])
        request = (b"\x35\x01\x03" + b"\x3d\x07\x01" + mac + b"\x0c" + bytes([len(name)]) + name
                   + b"\x3c" + bytes([len(vendor)]) + vendor + b"\x37" + bytes([len(requested)]) + requested)
        lease = 86_400
        ack = (b"\x35\x01\x05" + b"\x36\x04" + self.gateway.ip.packed + b"\x33\x04" + struct.pack("!I", lease)
               + b"\x3a\x04" + struct.pack("!I", lease // 2) + b"\x3b\x04" + struct.pack("!I", lease * 7 // 8)
               + b"\x01\x04" + network.netmask.packed + b"\x03\x04" + self.gateway.ip.packed
               + b"\x06\x04" + self.resolver.ip.packed)
        reply = t + self.rng.randint(800, 4000)
        self._emit([(t, udp_frame(client, server, payload=bootp(1, bytes(4), request), ip_id=self.rng.getrandbits(16))),
                    (reply, udp_frame(server, client, payload=bootp(2, chosen.end.ip.packed, ack),
                                      ip_id=self.rng.getrandbits(16)))])

    def session(self, sid: str, facts: dict) -> Session:
        """The noise as one session: packets in time order, every HTTP connection a named stream."""
        ordered = sorted(self.entries, key=lambda e: (e[0], e[1]))
        session = Session(sid, "noise", False, [(t, frame) for t, _, frame, _ in ordered])
        session.streams = {name: k for k, (_, _, _, name) in enumerate(ordered) if name}
        counts = {kind: self.counts.get(kind, 0) for kind in facts["kinds"]}

        def describe(frames: Frames) -> dict:
            out = {"type": "noise", **facts, "exchanges": sum(counts.values()), "counts": counts,
                   "packets": len(session.packets), "qnames": sorted(self.qnames)}
            if session.packets:
                last = len(session.packets) - 1
                out.update(frames=frames.span(), time=frames.time(0), last_time=frames.time(last))
            return out

        session.describe = describe
        return session
