"""Turn-taking over TCP and UDP: the primitive every line protocol (FTP, SMTP, telnet ...) is built on.

A :class:`Dialogue` is one TCP connection driven step by step: each call says
who speaks, what, and how long that side thought first. Times follow the tap
model of :mod:`tcp` (the tap sits at the connection's initiator): a reply to the
initiator arrives one round trip after the request plus the peer's think time.
A session with several connections (FTP control and data, a brute force) joins
them with :func:`join`, which keeps marks and names each connection's first
packet so the capture can number TCP streams as tshark does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from forensics_kit.builder.traffic.frames import RST, Endpoint, udp_frame
from forensics_kit.builder.traffic.tcp import TcpConversation


class Dialogue:
    """One TCP connection: handshake at ``t0``, then turns, then a close or a reset.

    A ``mark`` given to :meth:`say` names the last data segment of that turn;
    :attr:`turns` holds ``(side, first, last)`` packet indices of each turn's
    data segments (in time order after :meth:`end`).
    """

    def __init__(self, initiator: Endpoint, responder: Endpoint, t0: int, *,
                 rng: random.Random, rtt_us: int, mbps: int, retransmit: bool = False) -> None:
        self.conv = TcpConversation(initiator, responder, rng=rng, rtt_us=rtt_us, mbps=mbps)
        self.rng = rng
        self.rtt_us = rtt_us
        self.start = t0
        self.t = self.conv.handshake(t0)
        self._last_side: bool | None = None  # True = initiator spoke last
        self.turns: list[tuple[bool, int, int]] = []  # (side, first index, last index)
        self._lose_next = retransmit  # the initiator's first data segment is lost once


    def say(self, from_initiator: bool, data: bytes, *, think_ms: float = 0.0,
            mark: str | None = None, lose_first: bool = False) -> int:
        """Send ``data`` after ``think_ms`` of thought; returns the time of its last segment."""
        think = max(200, round(think_ms * 1000))  # after the peer's delayed ACK (<= 90 us)
        if not from_initiator and self._last_side is not False:
            start = self.t + self.rtt_us + think  # request travels there, reply travels back
        else:
            start = self.t + think
        if from_initiator and self._lose_next:
            lose_first, self._lose_next = True, False
        first = len(self.conv.packets)
        tag = mark or "_last"
        self.t = self.conv.send(from_initiator, data, start, mark=tag, lose_first=lose_first)
        last = self.conv.marks[tag] if mark else self.conv.marks.pop(tag)
        self.turns.append((from_initiator, first, last))
        self._last_side = from_initiator
        return self.t

    def sync(self, t: int) -> None:
        """Nothing is sent on this connection before ``t`` (another connection's event)."""
        self.t = max(self.t, t)

    def wait(self, ms: float) -> None:
        """Let ``ms`` milliseconds pass on this connection with nothing sent."""
        self.t += round(ms * 1000)

    def close(self, from_initiator: bool = True, *, after_ms: float = 5.0) -> int:
        """Orderly FIN close started by one side; returns the time of the last ACK."""
        delay = round(after_ms * 1000)
        if not from_initiator and self._last_side is not False:
            delay += self.rtt_us
        self.t = self.conv.close(from_initiator, self.t + max(1, delay))
        return self.t

    def reset(self, from_initiator: bool = False, *, after_ms: float = 1.0) -> int:
        """Abort with RST/ACK (a server dropping a client after too many failures)."""
        conv = self.conv
        delay = round(after_ms * 1000) + (self.rtt_us if not from_initiator else 0)
        self.t += max(1, delay)
        conv._emit(self.t, from_initiator, RST | 0x10, ack=conv._nxt[not from_initiator])
        return self.t

    def end(self) -> TcpConversation:
        """The finished conversation, packets (and :attr:`turns`) in time order."""
        packets = self.conv.packets
        order = sorted(range(len(packets)), key=lambda i: packets[i][0])  # as finish() sorts
        position = {old: new for new, old in enumerate(order)}
        self.turns = [(side, position[a], position[b]) for side, a, b in self.turns]
        self.conv.finish()
        return self.conv


@dataclass
class Joined:
    """Packets of several connections in one time order, with marks and stream starts."""

    packets: list[tuple[int, bytes]]
    marks: dict[str, int]
    streams: dict[str, int]
    bounds: dict[str, tuple[int, int]]  # connection name -> merged index of its first, last packet


def join(connections: dict[str, TcpConversation | list[tuple[int, bytes]]],
         tcp: set[str] | None = None) -> Joined:
    """Merge named connections (conversations or raw packet lists) stably by time.

    Marks of conversations keep their names; every conversation (and every raw
    list named in ``tcp``) gets a stream start under its own name.
    """
    items = []
    for name, conn in connections.items():
        packets = conn.packets if isinstance(conn, TcpConversation) else conn
        items.extend((t, len(items), name, k, frame) for k, (t, frame) in enumerate(packets))
    items.sort(key=lambda item: (item[0], item[1]))
    position = {(name, k): new for new, (_, _, name, k, _) in enumerate(items)}
    marks: dict[str, int] = {}
    streams: dict[str, int] = {}
    for name, conn in connections.items():
        if isinstance(conn, TcpConversation):
            marks.update({mark: position[(name, k)] for mark, k in conn.marks.items()})
        if (isinstance(conn, TcpConversation) or name in (tcp or set())) and conn_len(conn):
            streams[name] = position[(name, 0)]
    bounds = {name: (position[(name, 0)], position[(name, conn_len(conn) - 1)])
              for name, conn in connections.items() if conn_len(conn)}
    return Joined([(t, frame) for t, _, _, _, frame in items], marks, streams, bounds)


def conn_len(conn: TcpConversation | list) -> int:
    return len(conn.packets if isinstance(conn, TcpConversation) else conn)


def udp_exchange(client: Endpoint, server: Endpoint, t0: int, datagrams: list[tuple[bool, bytes, float]],
                 *, rng: random.Random, rtt_us: int) -> list[tuple[int, bytes]]:
    """Datagrams ``(from_client, payload, think_ms)`` in order; replies arrive a round trip later."""
    packets, t, last_client = [], t0, None
    ip_id = {True: rng.getrandbits(16), False: rng.getrandbits(16)}
    for from_client, payload, think_ms in datagrams:
        think = max(1, round(think_ms * 1000))
        if last_client is not None:
            t += think + (rtt_us if (not from_client and last_client) else 0)
        src, dst = (client, server) if from_client else (server, client)
        packets.append((t, udp_frame(src, dst, payload=payload, ip_id=ip_id[from_client])))
        ip_id[from_client] = (ip_id[from_client] + 1) & 0xFFFF
        last_client = from_client
    return packets
