"""One recorded session (a DNS lookup, an HTTP exchange) and how each is made.

A session holds its own packets in time order, names its interesting packets
(``marks``) and the facts known before the capture is merged (``facts``);
:class:`~forensics_kit.builder.traffic.capture.Capture` merges sessions and
adds frame numbers and stream indices to make the truth.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from forensics_kit.builder.traffic.dns_message import build_query, build_response, qtype_code
from forensics_kit.builder.traffic.frames import Endpoint, udp_frame
from forensics_kit.builder.traffic.http_message import SERVER_SOFTWARE, build_request
from forensics_kit.builder.traffic.http_message import build_response as build_http_response
from forensics_kit.builder.traffic.tcp import DELAYED_ACK_US, TcpConversation
from forensics_kit.errors import RecipeError
from forensics_kit.hashing import hash_bytes


class Frames:
    """Where a session's packets landed in the written file: numbers, times, TCP streams.

    Handed to a session's ``describe`` once the capture is merged, so its truth
    can name frames exactly as Wireshark numbers them.
    """

    def __init__(self, numbers: list[int], times: list[int], streams: dict[str, int],
                 iso: Callable[[int], str | None]) -> None:
        self.numbers, self.times, self.streams, self._iso = numbers, times, streams, iso

    def number(self, index: int) -> int:
        """Frame number (1-based) of the session's packet ``index``."""
        return self.numbers[index]

    def time(self, index: int) -> str | None:
        """ISO UTC time of the session's packet ``index``."""
        return self._iso(self.times[index])

    def span(self) -> list[int]:
        """First and last frame number of the session."""
        return [self.numbers[0], self.numbers[-1]]


@dataclass
class Session:
    """Packets ``(time_us, frame)`` of one session, in time order, plus what is known of it.

    ``streams`` names each TCP connection by the index of its first packet
    (tshark numbers ``tcp.stream`` in order of first packets); ``describe``
    turns :class:`Frames` into the session's truth. Sessions without
    ``describe`` (dns, http) are described by the capture itself.
    """

    sid: str
    kind: str
    is_tcp: bool
    packets: list[tuple[int, bytes]] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    streams: dict[str, int] = field(default_factory=dict)
    describe: Callable[[Frames], dict] | None = None

    def __post_init__(self) -> None:
        if self.is_tcp and not self.streams and self.packets:
            self.streams = {"main": 0}


@dataclass(frozen=True)
class Path:
    """Who talks to whom, how far apart, and the session's own random generator."""

    client: Endpoint
    server: Endpoint
    rtt_us: int
    mbps: int
    rng: random.Random
    connect: Callable[[bool, int | None, int], Path] | None = None
    """``connect(from_client, sport, dport)``: another connection between the same two hosts
    (``from_client`` False: the server opens it), its source port free in the capture."""


def dns_session(
    sid: str, path: Path, t0: int, *, qname: str, qtype: str, answers: list[str], rcode: int,
) -> Session:
    """A UDP query at ``t0`` and its response one round trip (plus resolver time) later."""
    item = f"session {sid}"
    qtype_code(qtype, item)
    if rcode == 3 and answers:
        raise RecipeError("traffic", item, "an NXDOMAIN (rcode 3) response cannot carry answers")
    rng = path.rng
    txid = rng.getrandbits(16)
    ttl = rng.choice((60, 300, 600, 3600))
    query = build_query(txid, qname, qtype, item)
    response = build_response(txid, qname, qtype, answers, rcode=rcode, ttl=ttl, item=item)
    t_response = t0 + path.rtt_us + rng.randint(100, 15_000)
    session = Session(sid, "dns", False)
    session.packets.append((t0, udp_frame(path.client, path.server, payload=query,
                                          ip_id=rng.getrandbits(16))))
    session.packets.append((t_response, udp_frame(path.server, path.client, payload=response,
                                                  ip_id=rng.getrandbits(16))))
    session.marks = {"query": 0, "response": 1}
    session.facts = {"qname": qname, "qtype": qtype.upper(), "answers": list(answers),
                     "rcode": rcode, "transaction_id": txid}
    return session


def http_session(
    sid: str, path: Path, t0: int, *, method: str, host: str, uri: str, user_agent: str,
    request_body: bytes, request_type: str | None, body: bytes, content_type: str,
    status: int, chunked: bool, gzip: bool, extra_headers: dict | None,
    response_headers: dict | None, retransmit: bool, server_software: str = SERVER_SOFTWARE,
) -> Session:
    """Handshake at ``t0``, one request, one response, client close after a pause."""
    item = f"session {sid}"
    rng = path.rng
    request = build_request(
        item, method=method, host=host, uri=uri, user_agent=user_agent, body=request_body,
        content_type=request_type, extra_headers=extra_headers,
    )
    conv = TcpConversation(path.client, path.server, rng=rng, rtt_us=path.rtt_us, mbps=path.mbps)
    t = conv.handshake(t0)
    think = rng.randint(1_000, 80_000)
    t = conv.send(True, request, t, mark="request", ack_last=think >= DELAYED_ACK_US,
                  lose_first=retransmit)
    t = t + path.rtt_us + think
    response = build_http_response(
        item, status=status, body=body, content_type=content_type,
        date=(t - path.rtt_us // 2) // 1_000_000, rng=rng, chunked=chunked, gzip=gzip,
        extra_headers=response_headers, server=server_software,
    )
    t = conv.send(False, response, t, mark="response")
    conv.close(True, t + rng.randint(200_000, 2_000_000))
    conv.finish()
    session = Session(sid, "http", True, conv.packets, conv.marks)
    hashes = hash_bytes(body)
    session.facts = {
        "host": host, "uri": uri, "method": method, "user_agent": user_agent, "status": status,
        "content_type": content_type, "body_sha256": hashes["sha256"], "body_md5": hashes["md5"],
        "body_size": len(body), "chunked": chunked, "gzip": gzip,
    }
    if request_body:
        request_hashes = hash_bytes(request_body)
        session.facts.update(request_body_sha256=request_hashes["sha256"],
                             request_body_size=len(request_body))
    return session
