"""A TCP conversation as seen by a tap next to the client.

The model is simple but keeps everything tshark's TCP analysis checks: a
3-way handshake with seeded ISNs, seq/ack that always agree with what each side
has seen, MSS segmentation, slow start in rounds, an ACK for every second
segment, FIN/ACK close, and an optional client retransmission after an RTO.

All times are integer microseconds, so frames sort and write exactly.
Because the tap sits at the client, a client packet is recorded when sent and
a server packet when it arrives; anything the server does in reply to the
client shows up one round-trip time later.
"""

from __future__ import annotations

import random

from forensics_kit.builder.traffic.frames import (
    ACK,
    FIN,
    PSH,
    SYN,
    Endpoint,
    tcp_frame,
)
from forensics_kit.builder.world.tcp_stack import tcp_stack, timestamp_option

MSS = 1460  # Ethernet MTU 1500 minus IPv4 and TCP headers; 20 less for IPv6
INITIAL_CWND = 10
MAX_CWND = 32  # keeps bytes in flight far below the advertised windows
LINUX_SERVER_WINDOW = 509  # x 128 = 65152 bytes; a Linux client advertises 502 x 128 = 64256
_TS_OPTIONS = b"\x01\x01"  # NOP, NOP before the timestamps option on every later segment
MIN_RTO_US = 200_000  # Linux TCP_RTO_MIN
DELAYED_ACK_US = 40_000  # Linux delayed-ACK timer


class TcpConversation:
    """Packets of one TCP connection, recorded as ``(time_us, frame)`` pairs.

    ``marks`` names interesting packets (e.g. ``"request"``) by their index in
    :attr:`packets`; the capture turns them into frame numbers after merging.
    """

    def __init__(
        self, client: Endpoint, server: Endpoint, *, rng: random.Random, rtt_us: int,
        mbps: int,
    ) -> None:
        self.client = client
        self.server = server
        self.rng = rng
        self.rtt_us = rtt_us
        self.mbps = mbps
        self.mss = MSS if client.ip.version == 4 else MSS - 20
        self.packets: list[tuple[int, bytes]] = []
        self.marks: dict[str, int] = {}
        isn_c, isn_s = rng.getrandbits(32), rng.getrandbits(32)
        self._nxt = {True: isn_c, False: isn_s}  # next seq each side sends; True = client
        self._ip_id = {True: rng.getrandbits(16), False: rng.getrandbits(16)}
        self._stack = {True: tcp_stack(client.os or None, client.ttl), False: tcp_stack(server.os or None, server.ttl)}
        # Timestamps run once both SYNs offered them; they take 12 bytes of every segment.
        self.timestamps = self._stack[True].timestamps and self._stack[False].timestamps
        self.segment_size = self.mss - 12 if self.timestamps else self.mss
        # Each side's timestamp clock (1 ms) starts at a per-connection offset, as Linux >= 4.10 does.
        self._ts_offset = {True: (isn_c * 2654435761) & 0xFFFFFFFF, False: (isn_s * 2246822519) & 0xFFFFFFFF}

    # -- low level -------------------------------------------------------------

    def _emit(
        self, t: int, from_client: bool, flags: int, *, ack: int, payload: bytes = b"",
        seq: int | None = None, options: bytes = b"",
    ) -> int:
        src, dst = (self.client, self.server) if from_client else (self.server, self.client)
        if seq is None:
            seq = self._nxt[from_client]
            self._nxt[from_client] += len(payload) + (1 if flags & (SYN | FIN) else 0)
        window = self._window(from_client, flags)
        if self.timestamps and not flags & SYN:
            options = _TS_OPTIONS + self._timestamps(from_client, t)
        frame = tcp_frame(
            src, dst, seq=seq, ack=ack, flags=flags, window=window,
            ip_id=self._ip_id[from_client], payload=payload, options=options,
        )
        self._ip_id[from_client] = (self._ip_id[from_client] + 1) & 0xFFFF
        self.packets.append((t, frame))
        return len(self.packets) - 1

    def _window(self, from_client: bool, flags: int) -> int:
        stack = self._stack[from_client]
        if flags & SYN:
            if from_client:
                return stack.syn_window
            if stack.kind == "linux" and not self.timestamps:
                return stack.syn_window  # 44 x 1460 when no timestamps shrink the segments
            return stack.synack_window
        if stack.kind == "linux" and not from_client:
            return LINUX_SERVER_WINDOW
        return stack.window

    def _timestamps(self, from_client: bool, t: int) -> bytes:
        """TSval of the sender's clock and TSecr of the peer's, as this packet carries them.

        The tap is at the client: a server packet recorded at ``t`` left the server
        half an RTT earlier, when the newest client packet it had seen left a full RTT earlier.
        """
        half = self.rtt_us // 2
        if from_client:
            tsval = self._ts_offset[True] + t // 1000
            tsecr = self._ts_offset[False] + max(0, t - half) // 1000
        else:
            tsval = self._ts_offset[False] + max(0, t - half) // 1000
            tsecr = self._ts_offset[True] + max(0, t - self.rtt_us) // 1000
        return timestamp_option(tsval, tsecr)

    def _jitter(self, base: int) -> int:
        """``base`` microseconds give or take 10 %, never less than 1."""
        return max(1, base + self.rng.randint(-base // 10, base // 10))

    def _ack_delay(self) -> int:
        return self.rng.randint(15, 90)

    def _wire_time(self, size: int) -> int:
        return max(1, (size + 54) * 8 // self.mbps)

    # -- phases ----------------------------------------------------------------

    def handshake(self, t: int) -> int:
        """SYN, SYN/ACK, ACK starting at ``t``; returns when the client may send."""
        client, server = self._stack[True], self._stack[False]
        syn_tsval = self._ts_offset[True] + t // 1000
        self._emit(t, True, SYN, ack=0, options=client.syn_options(self.mss, syn_tsval))
        t += self._jitter(self.rtt_us)
        synack_tsval = self._ts_offset[False] + max(0, t - self.rtt_us // 2) // 1000
        options = server.synack_options(self.mss, client.offers, tsval=synack_tsval, tsecr=syn_tsval)
        self._emit(t, False, SYN | ACK, ack=self._nxt[True], options=options)
        t += self._ack_delay()
        self._emit(t, True, ACK, ack=self._nxt[False])
        return t + self.rng.randint(50, 400)

    def send(
        self, from_client: bool, data: bytes, t: int, *, mark: str | None = None,
        ack_last: bool = True, lose_first: bool = False,
    ) -> int:
        """Send ``data`` from one side starting at ``t``; returns the time of the last segment.

        ``mark`` names the last data segment. ``ack_last`` says whether the
        receiver sends a pure ACK for the final segment (False when its reply
        follows within the delayed-ACK time and carries the ACK).
        ``lose_first`` (client only) records the first segment, drops it beyond
        the tap and retransmits it after an RTO, as tshark then flags it.
        """
        size = self.segment_size
        segments = [data[i:i + size] for i in range(0, len(data), size)]
        receiver_ack = self._nxt[not from_client]
        if lose_first and from_client and segments:
            self._emit(t, True, ACK | PSH, ack=receiver_ack, payload=segments[0],
                       seq=self._nxt[True])
            t += MIN_RTO_US + self._jitter(self.rtt_us)
        cwnd, index, last_time = INITIAL_CWND, 0, t
        while index < len(segments):
            batch = segments[index:index + cwnd]
            first_ack_time = None
            for j, payload in enumerate(batch):
                final = index + j == len(segments) - 1
                flags = ACK | (PSH if final else 0)
                seg_index = self._emit(t, from_client, flags, ack=receiver_ack, payload=payload)
                if final and mark:
                    self.marks[mark] = seg_index
                last_time = t
                if (j % 2 == 1) or (final and ack_last):
                    # the server's ACK comes exactly one RTT later, so it always precedes
                    # a reply that follows after RTT plus think time
                    ack_time = t + (self.rtt_us if from_client else self._ack_delay())
                    self._emit(ack_time, not from_client, ACK, ack=self._nxt[from_client])
                    first_ack_time = first_ack_time or ack_time
                t += self._wire_time(len(payload))
            index += len(batch)
            if index < len(segments):
                next_start = first_ack_time or t
                if not from_client:  # the ACK travels to the server, new data comes back
                    next_start += self._jitter(self.rtt_us)
                t = max(t, next_start)
                cwnd = min(cwnd * 2, MAX_CWND)
        return last_time

    def close(self, from_client: bool, t: int) -> int:
        """FIN/ACK from one side at ``t``, the peer's FIN/ACK, the last ACK; returns its time."""
        self._emit(t, from_client, FIN | ACK, ack=self._nxt[not from_client])
        if from_client:
            t += self._jitter(self.rtt_us)
        else:
            t += self._ack_delay()
        self._emit(t, not from_client, FIN | ACK, ack=self._nxt[from_client])
        if from_client:
            t += self._ack_delay()
        else:
            t += self._jitter(self.rtt_us)
        self._emit(t, from_client, ACK, ack=self._nxt[not from_client])
        return t

    def finish(self) -> None:
        """Put packets in time order (stable), keeping ``marks`` pointing at the same packets."""
        order = sorted(range(len(self.packets)), key=lambda i: self.packets[i][0])
        position = {old: new for new, old in enumerate(order)}
        self.packets = [self.packets[i] for i in order]
        self.marks = {name: position[i] for name, i in self.marks.items()}
