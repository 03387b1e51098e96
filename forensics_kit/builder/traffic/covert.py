"""Data hidden in ordinary protocols and lies on the LAN: DNS tunnels, ICMP exfiltration, ARP spoofing.

Truth carries the hidden data's hash and how it was encoded, so an examiner who
decodes the queries or pings can prove what left the network.
"""

from __future__ import annotations

import base64
import hashlib

from forensics_kit.builder.traffic.dns_message import build_query, build_response
from forensics_kit.builder.traffic.frames import Endpoint, arp_frame, icmp_echo_frame, udp_frame
from forensics_kit.builder.traffic.sessions import Frames, Path, Session
from forensics_kit.errors import RecipeError

ENCODINGS = ("base32", "hex")
BROADCAST = b"\xff" * 6


def encode_chunk(data: bytes, encoding: str) -> str:
    """Lower-case base32 without padding, or hex: what DNS tunnel tools put in labels."""
    if encoding == "hex":
        return data.hex()
    return base64.b32encode(data).decode().rstrip("=").lower()


def _data_truth(data: bytes) -> dict:
    return {"data_size": len(data), "data_sha256": hashlib.sha256(data).hexdigest(),
            **({"data_text": data.decode()} if data.isascii() and len(data) <= 4096 else {})}


def dns_tunnel_session(sid: str, path: Path, t0: int, *, domain: str, data: bytes, encoding: str = "base32",
                       chunk: int = 30, answer: str = "TXT", interval_ms: float = 150.0) -> Session:
    """Queries ``<n>.<encoded chunk>.<domain>`` carrying ``data`` in order; each answered (TXT or CNAME)."""
    item = f"session {sid}"
    if encoding not in ENCODINGS:
        raise RecipeError("traffic", item, f"unknown encoding {encoding!r} (known: {', '.join(ENCODINGS)})")
    if answer not in ("TXT", "CNAME"):
        raise RecipeError("traffic", item, f"unknown tunnel answer type {answer!r} (known: TXT, CNAME)")
    if not data or not 1 <= chunk <= 35:
        raise RecipeError("traffic", item, "a tunnel needs data and a chunk of 1-35 bytes per query")
    if len(encode_chunk(bytes(chunk), encoding)) > 63:
        raise RecipeError("traffic", item, f"{chunk} bytes in {encoding} exceed a 63-character DNS label")
    rng = path.rng
    packets, qnames, t = [], [], t0
    for number, start in enumerate(range(0, len(data), chunk)):
        qname = f"{number:04x}.{encode_chunk(data[start:start + chunk], encoding)}.{domain}"
        txid = rng.getrandbits(16)
        reply = (rng.randbytes(6).hex(),) if answer == "TXT" else (f"{rng.randbytes(5).hex()}.{domain}",)
        packets.append((t, udp_frame(path.client, path.server, payload=build_query(txid, qname, answer, item),
                                     ip_id=rng.getrandbits(16))))
        response = build_response(txid, qname, answer, list(reply), rcode=0, ttl=0, item=item)
        packets.append((t + path.rtt_us + rng.randint(100, 3000),
                        udp_frame(path.server, path.client, payload=response, ip_id=rng.getrandbits(16))))
        qnames.append(qname)
        t += max(1, round(interval_ms * 1000 * rng.uniform(0.5, 1.5)))
    packets.sort(key=lambda p: p[0])
    session = Session(sid, "dns_tunnel", False, packets)
    facts = {"domain": domain, "encoding": encoding, "answer_type": answer, "queries": len(qnames),
             "first_qname": qnames[0], "encoded_bytes": sum(len(q) - len(domain) - 1 for q in qnames),
             **_data_truth(data)}

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(facts, frames=frames.span(), time=frames.time(0), last_time=frames.time(len(packets) - 1))
        return out

    session.describe = describe
    return session


def icmp_exfil_session(sid: str, path: Path, t0: int, *, data: bytes, chunk: int = 48,
                       interval_ms: float = 1000.0) -> Session:
    """Echo requests whose payloads are consecutive chunks of ``data``; the target echoes each back."""
    item = f"session {sid}"
    if path.client.ip.version != 4:
        raise RecipeError("traffic", item, "ICMP exfiltration is IPv4 only")
    if not data or not 1 <= chunk <= 1472:
        raise RecipeError("traffic", item, "exfiltration needs data and a chunk of 1-1472 bytes")
    rng = path.rng
    ident, packets, t = rng.getrandbits(16), [], t0
    for seq, start in enumerate(range(0, len(data), chunk), 1):
        payload = data[start:start + chunk]
        packets.append((t, icmp_echo_frame(path.client, path.server, reply=False, ident=ident, seq=seq,
                                           payload=payload, ip_id=rng.getrandbits(16))))
        packets.append((t + path.rtt_us, icmp_echo_frame(path.server, path.client, reply=True, ident=ident,
                                                         seq=seq, payload=payload, ip_id=rng.getrandbits(16))))
        t += max(1, round(interval_ms * 1000 * rng.uniform(0.95, 1.05)))
    session = Session(sid, "icmp_exfil", False, packets)
    facts = {"icmp_id": ident, "requests": len(packets) // 2, "chunk": chunk, **_data_truth(data)}

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.pop("client_port", None)
        out.pop("server_port", None)
        out.update(facts, frames=frames.span(), time=frames.time(0))
        return out

    session.describe = describe
    return session


def arp_spoof_session(sid: str, attacker: Endpoint, victim: Endpoint, gateway: Endpoint, t0: int, *, rng,
                      count: int = 10, interval_s: float = 2.0, pings: int = 3) -> Session:
    """Honest ARP first (victim asks for the gateway), then forged replies from the attacker, then the
    victim's pings to the gateway go to the attacker's MAC and are forwarded by it."""
    if count < 1:
        raise RecipeError("traffic", f"session {sid}", "an ARP spoof needs at least one forged reply")
    zero = b"\x00" * 6
    packets = [
        (t0, arp_frame(op=1, sender_mac=victim.mac, sender_ip=victim.ip, target_mac=zero,
                       target_ip=gateway.ip, eth_dst=BROADCAST)),
        (t0 + rng.randint(300, 900), arp_frame(op=2, sender_mac=gateway.mac, sender_ip=gateway.ip,
                                               target_mac=victim.mac, target_ip=victim.ip, eth_dst=victim.mac)),
    ]
    t = t0 + rng.randint(2_000_000, 5_000_000)
    spoof_start = t
    for _ in range(count):
        packets.append((t, arp_frame(op=2, sender_mac=attacker.mac, sender_ip=gateway.ip, target_mac=victim.mac,
                                     target_ip=victim.ip, eth_dst=victim.mac)))
        t += round(interval_s * 1_000_000 * rng.uniform(0.98, 1.02))
    ident = rng.getrandbits(16)
    through = Endpoint(attacker.mac, gateway.ip, 0, gateway.ttl)  # gateway's IP behind the attacker's MAC
    ping_t = spoof_start + rng.randint(300_000, 900_000)
    for seq in range(1, pings + 1):
        payload = bytes(range(16, 64))
        ip_id = rng.getrandbits(16)
        packets.append((ping_t, icmp_echo_frame(victim, through, reply=False, ident=ident, seq=seq,
                                                payload=payload, ip_id=ip_id)))
        forwarded = Endpoint(attacker.mac, victim.ip, 0, victim.ttl - 1)
        packets.append((ping_t + rng.randint(50, 300), icmp_echo_frame(
            forwarded, gateway, reply=False, ident=ident, seq=seq, payload=payload, ip_id=ip_id)))
        ping_t += 1_000_000
    packets.sort(key=lambda p: p[0])
    session = Session(sid, "arp_spoof", False, packets)
    facts = {"attacker_mac": attacker.mac.hex(":"), "victim": str(victim.ip), "gateway": str(gateway.ip),
             "gateway_mac": gateway.mac.hex(":"), "forged_replies": count, "forwarded_pings": pings}

    def describe(frames: Frames) -> dict:
        first_forged = next(k for k, (tt, _) in enumerate(packets) if tt == spoof_start)
        return {"type": "arp_spoof", **facts, "frames": frames.span(), "time": frames.time(0),
                "first_forged_frame": frames.number(first_forged), "spoof_time": frames.time(first_forged)}

    session.describe = describe
    return session
