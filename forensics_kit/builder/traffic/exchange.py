"""Generic sessions: a TCP connection or a UDP flow carrying given messages in turn.

Trainers use them for protocols we do not model (a custom C2 line protocol, a
banner grab, a game server); every message's frames go into the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

from forensics_kit.builder.traffic.dialogue import Dialogue, udp_exchange
from forensics_kit.builder.traffic.sessions import Frames, Path, Session
from forensics_kit.errors import RecipeError
from forensics_kit.hashing import hash_bytes

CLOSERS = ("client", "server", "reset", "none")


@dataclass(frozen=True)
class Message:
    """One turn: ``side`` ("client" or "server") sends ``data`` after ``think_ms`` of thought."""

    side: str
    data: bytes
    think_ms: float = 50.0


def _check(item: str, messages: list[Message]) -> None:
    if not messages:
        raise RecipeError("traffic", item, "an exchange needs at least one message")
    for message in messages:
        if message.side not in ("client", "server"):
            raise RecipeError("traffic", item, f"message side {message.side!r} is not client or server")
        if not message.data:
            raise RecipeError("traffic", item, "a message cannot be empty")
        if message.think_ms < 0:
            raise RecipeError("traffic", item, "think time cannot be negative")


def _message_truth(messages: list[Message]) -> list[dict]:
    return [{"side": m.side, "size": len(m.data), "sha256": hash_bytes(m.data)["sha256"],
             **({"text": m.data.decode()} if m.data.isascii() and m.data.decode().isprintable() else {})}
            for m in messages]


def tcp_exchange_session(sid: str, path: Path, t0: int, *, messages: list[Message], close: str = "client",
                         retransmit: bool = False, kind: str = "tcp") -> Session:
    """Handshake at ``t0``, the messages in order, then the chosen close."""
    item = f"session {sid}"
    _check(item, messages)
    if close not in CLOSERS:
        raise RecipeError("traffic", item, f"unknown close {close!r} (known: {', '.join(CLOSERS)})")
    conv = Dialogue(path.client, path.server, t0, rng=path.rng, rtt_us=path.rtt_us, mbps=path.mbps,
                    retransmit=retransmit)
    for message in messages:
        conv.say(message.side == "client", message.data, think_ms=message.think_ms)
    if close in ("client", "server"):
        conv.close(close == "client", after_ms=path.rng.uniform(1, 200))
    elif close == "reset":
        conv.reset(False)
    finished = conv.end()
    session = Session(sid, kind, True, finished.packets)
    truth = _message_truth(messages)
    sides = {s: sum(len(m.data) for m in messages if m.side == s) for s in ("client", "server")}

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(tcp_stream=frames.streams["main"], frames=frames.span(), time=frames.time(0),
                   client_bytes=sides["client"], server_bytes=sides["server"], retransmit=retransmit)
        out["messages"] = []
        for message, (_, first, last) in zip(truth, conv.turns, strict=True):
            out["messages"].append({**message, "frames": [frames.number(first), frames.number(last)]})
        return out

    session.describe = describe
    return session


def udp_exchange_session(sid: str, path: Path, t0: int, *, messages: list[Message]) -> Session:
    """Datagrams in order between the two ports; each message is one datagram."""
    _check(f"session {sid}", messages)
    for message in messages:
        if len(message.data) > 1472:
            raise RecipeError("traffic", f"session {sid}", "a UDP message is at most 1472 bytes")
    packets = udp_exchange(path.client, path.server, t0,
                           [(m.side == "client", m.data, m.think_ms) for m in messages],
                           rng=path.rng, rtt_us=path.rtt_us)
    session = Session(sid, "udp", False, packets)
    truth = _message_truth(messages)

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(frames=frames.span(), time=frames.time(0),
                   messages=[{**m, "frame": frames.number(k)} for k, m in enumerate(truth)])
        return out

    session.describe = describe
    return session
