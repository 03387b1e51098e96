"""Build whole TCP conversations for the stream and protocol tests.

``conversation(...)`` turns a list of ``(direction, bytes)`` messages into
frames with a handshake, correct seq/ack numbers, segments of at most ``mss``
bytes and a FIN exchange; ``capture(path, *frame_lists)`` writes them (one
list after the other, 10 ms apart) as a pcap.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import MS, T0, TcpPeer, handshake, write_pcap


class Talk:
    """One TCP connection whose messages can be sent in several batches (interleaved with others)."""

    def __init__(self, client: str, cport: int, server: str, sport: int, *, isn=(1000, 5000), mss: int = 1400):
        self.c = TcpPeer(client, server, cport, sport, isn[0])
        self.s = TcpPeer(server, client, sport, cport, isn[1])
        self.mss = mss

    def open(self) -> list[bytes]:
        return handshake(self.c, self.s)

    def send(self, messages) -> list[bytes]:
        """Frames for ``("c"|"s", payload)`` messages, split at ``mss``."""
        frames = []
        for direction, payload in messages:
            me, other = (self.c, self.s) if direction == "c" else (self.s, self.c)
            for i in range(0, len(payload), self.mss):
                frames.append(me.packet(payload=payload[i : i + self.mss]))
            other.ack = me.seq
        return frames

    def close(self) -> list[bytes]:
        c, s = self.c, self.s
        frames = [c.packet("FA")]
        s.ack = c.seq
        frames.append(s.packet("FA"))
        c.ack = s.seq
        frames.append(c.packet("A"))
        return frames


def conversation(client: str, cport: int, server: str, sport: int, messages, *, isn=(1000, 5000),
                 mss: int = 1400, close: bool = True, syn: bool = True) -> list[bytes]:
    """Frames of one whole conversation; ``messages`` are ``("c"|"s", payload)``."""
    talk = Talk(client, cport, server, sport, isn=isn, mss=mss)
    if syn:
        frames = talk.open()
    else:
        frames = []
        talk.c.seq, talk.s.seq, talk.c.ack, talk.s.ack = isn[0] + 1, isn[1] + 1, isn[1] + 1, isn[0] + 1
    frames += talk.send(messages)
    return frames + (talk.close() if close else [])


def capture(path: Path, *frame_lists) -> Path:
    """Write the frame lists one after the other as a pcap, 10 ms apart."""
    frames = [f for frames in frame_lists for f in frames]
    return write_pcap(path, [(T0 + i * 10 * MS, f) for i, f in enumerate(frames)])
