"""Build whole TCP conversations for the stream and protocol tests.

``conversation(...)`` turns a list of ``(direction, bytes)`` messages into
frames with a handshake, correct seq/ack numbers, segments of at most ``mss``
bytes and a FIN exchange; ``capture(path, *frame_lists)`` writes them (one
list after the other, 10 ms apart) as a pcap.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import MS, T0, TcpPeer, handshake, write_pcap


def conversation(client: str, cport: int, server: str, sport: int, messages, *, isn=(1000, 5000),
                 mss: int = 1400, close: bool = True, syn: bool = True) -> list[bytes]:
    """Frames of one conversation; ``messages`` are ``("c"|"s", payload)``."""
    c = TcpPeer(client, server, cport, sport, isn[0])
    s = TcpPeer(server, client, sport, cport, isn[1])
    frames = handshake(c, s) if syn else []
    if not syn:
        c.seq, s.seq, c.ack, s.ack = isn[0] + 1, isn[1] + 1, isn[1] + 1, isn[0] + 1
    for direction, payload in messages:
        me, other = (c, s) if direction == "c" else (s, c)
        for i in range(0, len(payload), mss):
            frames.append(me.packet(payload=payload[i : i + mss]))
        other.ack = me.seq
    if close:
        frames.append(c.packet("FA"))
        s.ack = c.seq
        frames.append(s.packet("FA"))
        c.ack = s.seq
        frames.append(c.packet("A"))
    return frames


def capture(path: Path, *frame_lists) -> Path:
    """Write the frame lists one after the other as a pcap, 10 ms apart."""
    frames = [f for frames in frame_lists for f in frames]
    return write_pcap(path, [(T0 + i * 10 * MS, f) for i, f in enumerate(frames)])
