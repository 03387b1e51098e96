"""An office's hour on the wire: a capture with many short conversations, written fast.

The packets come from the project's own capture writer (:class:`Capture`): it writes a
*template* capture once (DNS lookups with varied names and answers, HTTP downloads whose
body sizes follow a log-normal law around 8 KB, TLS sessions, and its LAN background
noise: NTP, mDNS, SSDP, NetBIOS, ARP), which is cut into conversations. The big capture
then re-issues those conversations, each from one of 1,000 office machines to a resolver
or to one of 4,000 servers picked with Zipf popularity, from a fresh ephemeral port, at a
random moment of the hour; only addresses, ports, MACs, times and the checksums that cover
them change (checksums are updated incrementally, RFC 1624), so every packet is one the
writer made. The mix is solved so the capture has about the asked numbers of packets and
conversations; a single packet "conversation" is an unanswered query (SSDP M-SEARCH,
LLMNR, a DNS query that timed out), as offices send thousands of.

Writing 1,000,000 packets takes ~10 s here; the file is cached by name in the given folder.
"""

from __future__ import annotations

import heapq
import json
import random
import struct
from collections.abc import Iterator
from pathlib import Path

HOUR_S = 3600
CLIENTS = 1000
SERVERS = 4000
_EPHEMERAL = (49152, 65535)  # Windows' dynamic port range


def _template(path: Path, seed: int = 7) -> None:
    """The template capture: a few hundred real sessions from the builder."""
    from forensics_kit.builder.traffic import Capture

    rng = random.Random(seed)
    cap = Capture(start=1_709_287_200.0, seed=seed)
    cap.add_host("dns", "10.20.0.53")
    cap.add_host("gw", "10.20.0.1")
    for s in range(40):
        cap.add_host(f"srv{s}", f"198.51.{100 + s // 200}.{s % 200 + 10}")
    for c in range(60):
        cap.add_host(f"pc{c}", f"10.20.1.{c + 10}")
    words = ["mail", "cdn", "api", "www", "static", "login", "update", "teams", "office", "img", "ads", "news"]
    for i in range(400):
        name = f"{rng.choice(words)}{rng.randint(1, 99)}.{rng.choice(words)}-{rng.randint(1, 999)}.example"
        answers = [f"198.51.100.{rng.randint(10, 200)}" for _ in range(rng.choice((1, 1, 1, 2, 4)))]
        cap.dns_lookup(f"pc{i % 60}", "dns", name, answers, at=i * 0.05)
    for i in range(120):
        size = int(min(120_000, max(200, rng.lognormvariate(9.0, 1.2))))
        cap.http_get(f"pc{i % 60}", f"srv{i % 40}", host=f"{rng.choice(words)}.example", uri=f"/a/{i}.js",
                     body=rng.randbytes(size), content_type="application/javascript", at=20 + i * 0.2,
                     user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0",
                     gzip=i % 3 == 0)
    for i in range(60):
        exchanges = [(rng.randint(300, 900), int(min(60_000, rng.lognormvariate(8.5, 1.0))))
                     for _ in range(rng.choice((1, 1, 2, 3)))]
        cap.tls(f"pc{i % 60}", f"srv{i % 40}", sni=f"{rng.choice(words)}.example", at=50 + i * 0.3,
                exchanges=exchanges)
    cap.noise(start=0.0, duration=80.0, rate_per_s=12.0, resolver="dns", gateway="gw")
    cap.write(path)


class _Conversation:
    """One template conversation: its packets relative to its first, and who is the client."""

    __slots__ = ("frames", "client", "server", "proto", "cport", "sport", "span")

    def __init__(self, proto: int, client: bytes, cport: int, server: bytes, sport: int) -> None:
        self.proto, self.client, self.cport, self.server, self.sport = proto, client, cport, server, sport
        self.frames: list[tuple[int, bool, bytes]] = []  # (µs after the first packet, from client, frame)
        self.span = 0


def _conversations(path: Path) -> list[_Conversation]:
    """Cut a classic Ethernet/IPv4 pcap into conversations (5-tuple, both directions)."""
    data = path.read_bytes()
    found: dict[tuple, _Conversation] = {}
    offset, first_us = 24, {}
    while offset + 16 <= len(data):
        sec, usec, caplen, _orig = struct.unpack_from("<IIII", data, offset)
        frame = data[offset + 16: offset + 16 + caplen]
        offset += 16 + caplen
        if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] not in (6, 17):
            continue
        ihl = (frame[14] & 15) * 4
        src, dst = frame[26:30], frame[30:34]
        sport, dport = struct.unpack_from("!HH", frame, 14 + ihl)
        key = (frame[23], *sorted(((src, sport), (dst, dport))))
        talk = found.get(key)
        now = sec * 1_000_000 + usec
        if talk is None:
            talk = found[key] = _Conversation(frame[23], src, sport, dst, dport)
            first_us[key] = now
        rel = now - first_us[key]
        talk.frames.append((rel, src == talk.client and sport == talk.cport, frame))
        talk.span = max(talk.span, rel)
    return list(found.values())


def _ip(n: int) -> bytes:
    return n.to_bytes(4, "big")


def _fold(value: int) -> int:
    while value >> 16:
        value = (value & 0xFFFF) + (value >> 16)
    return value


def _delta(old: bytes, new: bytes) -> int:
    """One's-complement difference of two byte strings of equal even length (RFC 1624)."""
    total = 0
    for i in range(0, len(old), 2):
        total += (~((old[i] << 8) | old[i + 1]) & 0xFFFF) + ((new[i] << 8) | new[i + 1])
    return _fold(total)


def _adjusted(checksum: int, delta: int) -> int:
    return ~_fold((~checksum & 0xFFFF) + delta) & 0xFFFF


def _restamp(talk: _Conversation, client: bytes, cport: int, server: bytes, mac: bytes, t0: int
             ) -> Iterator[tuple[int, bytes]]:
    """The template conversation's packets with new endpoints and times."""
    forward_old = talk.client + talk.server + struct.pack("!HH", talk.cport, talk.sport)
    forward_new = client + server + struct.pack("!HH", cport, talk.sport)
    ip_delta = _delta(talk.client + talk.server, client + server)
    l4_delta = _delta(forward_old, forward_new)  # the pseudo-header and ports, either direction alike
    ck_at = 16 if talk.proto == 6 else 6
    for rel, from_client, frame in talk.frames:
        out = bytearray(frame)
        ihl = (out[14] & 15) * 4
        l4 = 14 + ihl
        if from_client:
            out[6:12] = mac
            out[26:30], out[30:34] = client, server
            struct.pack_into("!H", out, l4, cport)
        else:
            out[0:6] = mac
            out[26:30], out[30:34] = server, client
            struct.pack_into("!H", out, l4 + 2, cport)
        (ip_ck,) = struct.unpack_from("!H", out, 24)
        struct.pack_into("!H", out, 24, _adjusted(ip_ck, ip_delta))
        (ck,) = struct.unpack_from("!H", out, l4 + ck_at)
        if ck or talk.proto == 6:  # a UDP checksum of 0 means "none"; a computed 0 is sent as 0xFFFF
            ck = _adjusted(ck, l4_delta)
            struct.pack_into("!H", out, l4 + ck_at, ck if ck or talk.proto == 6 else 0xFFFF)
        yield t0 + rel, bytes(out)


def write_office_capture(folder: Path, packets: int, conversations: int, seed: int = 1) -> tuple[Path, dict]:
    """Write (or reuse) a capture of about ``packets`` packets in about ``conversations`` conversations.

    Returns its path and facts (packets, conversations, TCP conversations, mix).
    """
    path = folder / f"office-{packets}-{conversations}.pcap"
    facts_path = path.with_suffix(".json")
    if path.exists() and facts_path.exists():
        return path, json.loads(facts_path.read_text())
    template = folder / "office-template.pcap"
    if not template.exists():
        _template(template)
    talks = _conversations(template)
    tcp = [t for t in talks if t.proto == 6 and len(t.frames) > 2]
    pairs = [t for t in talks if t.proto == 17 and len(t.frames) == 2 and t.sport in (53, 123)]
    singles = [t for t in talks if t.proto == 17 and len(t.frames) == 1 and t.cport >= 1024]
    for pair in pairs[:200]:  # a query that timed out: the first packet of an exchange alone
        alone = _Conversation(pair.proto, pair.client, pair.cport, pair.server, pair.sport)
        alone.frames = pair.frames[:1]
        singles.append(alone)
    mean_tcp = sum(len(t.frames) for t in tcp) / len(tcp)
    # Solve the mix: share f of TCP sessions, s of single packets, the rest 2-packet exchanges.
    mean = packets / conversations
    share_single = 0.3 if mean > 2.2 else 0.6
    share_tcp = min(0.3, max(0.0, (mean - 2 + share_single) / (mean_tcp - 2)))
    rng = random.Random(seed)
    clients = [(_ip(0x0A140000 + 256 + n), bytes.fromhex(f"00155d{n >> 16 & 255:02x}{n >> 8 & 255:02x}{n & 255:02x}"))
               for n in range(CLIENTS)]
    resolvers = [_ip(0x0A140035), _ip(0x0A140036)]
    servers = [_ip(0xC6336400 + n * 7 + 1) for n in range(SERVERS)]
    popular = rng.choices(servers, [1 / (rank + 1) for rank in range(SERVERS)], k=conversations)
    starts = sorted(rng.randrange(HOUR_S * 1_000_000) for _ in range(conversations))
    base = 1_709_290_800 * 1_000_000
    used: set[tuple[int, bytes, int]] = set()
    pending: list[tuple[int, int, bytes]] = []
    written = made = made_tcp = seq = 0
    picks = rng.choices(("tcp", "pair", "single"),
                        (share_tcp, max(0.0, 1 - share_tcp - share_single), share_single), k=conversations)
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        write, pack = out.write, struct.Struct("<IIII").pack
        for start, kind, web in zip(starts, picks, popular, strict=True):
            while pending and pending[0][0] <= start:
                t, _, frame = heapq.heappop(pending)
                write(pack(t // 1_000_000, t % 1_000_000, len(frame), len(frame)) + frame)
                written += 1
            if written + len(pending) >= packets:
                break
            talk = rng.choice(tcp if kind == "tcp" else pairs if kind == "pair" else singles)
            client, mac = clients[rng.randrange(CLIENTS)]
            if talk.sport == 53:
                server = rng.choice(resolvers)
            elif talk.server[0] >= 224 or talk.server[3] == 255:
                server = talk.server  # multicast or broadcast: the group stays
            else:
                server = web if talk.proto == 6 else rng.choice(servers[:8])
            cport = rng.randint(*_EPHEMERAL)
            while (talk.proto, client, cport) in used:
                cport = rng.randint(*_EPHEMERAL)
            used.add((talk.proto, client, cport))
            for t, frame in _restamp(talk, client, cport, server, mac, base + start):
                seq += 1
                heapq.heappush(pending, (t, seq, frame))
            made += 1
            made_tcp += talk.proto == 6
        while pending:
            t, _, frame = heapq.heappop(pending)
            write(pack(t // 1_000_000, t % 1_000_000, len(frame), len(frame)) + frame)
            written += 1
    facts = {"packets": written, "conversations": made, "tcp_conversations": made_tcp,
             "mix": {"tcp": round(share_tcp, 3), "single": round(share_single, 3)},
             "template_conversations": len(talks)}
    facts_path.write_text(json.dumps(facts))
    return path, facts
