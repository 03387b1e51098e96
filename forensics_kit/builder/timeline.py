"""One timeline of what happened, rendered into every evidence item that would have recorded it.

A recipe's ``world.hosts`` say who the machines are (address, OS, the accounts that
exist on them) and ``timeline`` lists what actors did, once each. Before any
evidence is built, each event is turned into its *connections* (an SSH password
guess is one connection per password, with its own client port and time), and
every connection is rendered twice from the same values:

- into the ``auth_log`` of the server's disk (``content: {generate: auth_log,
  timeline: <host id>}``): sshd's lines with the right wording (``invalid user``
  for an account that does not exist), the real client port and the second the
  server decided;
- into each capture that asks for it (``timeline: true``): an ``ssh`` session
  from that port at that time, key exchange, attempts and (for a login) the
  interactive shell until the logout.

So the two sources agree in every count, port, banner and duration by
construction. Truth gets ``timeline.<event id>``: ``time`` (first decision),
``end_time``, ``client_port`` (first connection), ``connections`` and the
``ports`` of all of them.
"""

from __future__ import annotations

import hashlib
import random
from abc import abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from forensics_kit.builder.parameters import parse_duration
from forensics_kit.builder.registry import Registered
from forensics_kit.builder.world.tcp_stack import tcp_stack
from forensics_kit.timefmt import iso_utc, parse_iso


@dataclass(frozen=True)
class Connection:
    """One SSH connection an event makes: who, when (POSIX seconds), from which port, and how it ends.

    ``decided`` is when sshd logs the outcome (after the key exchange, the typing and,
    for a wrong password, PAM's delay); ``end`` when the connection closes.
    """

    event: str
    index: int
    client: str
    server: str
    start: float
    decided: float
    end: float
    client_port: int
    user: str
    outcome: str
    method: str
    tool: bool
    seed: int


class EventType(Registered):
    """Contract: ``connections(event, world, seed, taken) -> list[Connection]``.

    ``event`` is the rendered timeline entry, ``world`` the rendered ``world.hosts``,
    ``taken`` the client ports used so far per host (add yours).
    """

    kind: ClassVar[str] = "timeline event"
    registry: ClassVar[dict[str, type[Registered]]] = {}

    @abstractmethod
    def connections(self, event: dict[str, Any], world: dict[str, Any], seed: int,
                    taken: dict[str, set[int]]) -> list[Connection]:
        """The connections the event makes."""


def _rng(seed: int, *parts: object) -> random.Random:
    key = "/".join(map(str, (seed, "timeline", *parts))).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def _port(rng: random.Random, host: str, taken: dict[str, set[int]], world: dict[str, Any]) -> int:
    """A free ephemeral port of ``host``, from its OS's range (Linux 32768-60999, Windows 49152-65535)."""
    used = taken.setdefault(host, set())
    low, high = tcp_stack((world.get(host) or {}).get("os") or None).ephemeral
    port = rng.randint(low, high)
    while port in used:
        port = port + 1 if port < high else low
    used.add(port)
    return port


def _time(value: Any) -> float:
    return parse_iso(str(value)).timestamp()


def _handshake_s(rng: random.Random) -> float:
    """Banners and key exchange: a few round trips and the server's curve25519 work."""
    return rng.uniform(0.15, 0.45)


class SshPasswordGuess(EventType):
    """A guessing tool trying ``passwords`` (or ``attempts``) against ``users``, one connection per try."""

    name = "ssh_password_guess"

    def connections(self, event, world, seed, taken):
        users = [str(u) for u in event.get("users") or [event["user"]]]
        count = len(event["passwords"]) if event.get("passwords") else int(event["attempts"])
        every = parse_duration(event.get("every", 2.5))
        start = _time(event["at"])
        out = []
        for index in range(count):
            rng = _rng(seed, event["id"], index)
            begin = start + index * every + rng.uniform(0, 0.4)
            decided = begin + _handshake_s(rng) + rng.uniform(0.01, 0.05) + rng.uniform(2.0, 2.4)
            out.append(Connection(event["id"], index, event["from"], event["to"], begin, decided,
                                  decided + rng.uniform(0.01, 0.05), _port(rng, event["from"], taken, world),
                                  users[index % len(users)], "failed", "password", True, rng.getrandbits(48)))
        return out


class SshLogin(EventType):
    """A person logging in (``method`` password or publickey) and staying until ``until`` (or for ``lasts``).

    ``at`` is the moment of the login, the second sshd logs ``Accepted``; the
    connection opened a few seconds before (key exchange, typing the password).
    """

    name = "ssh_login"

    def connections(self, event, world, seed, taken):
        rng = _rng(seed, event["id"], 0)
        decided = _time(event["at"]) + rng.uniform(0.0, 0.9)
        begin = decided - _handshake_s(rng) - rng.uniform(1.5, 6.0)
        end = _time(event["until"]) if "until" in event else decided + parse_duration(event.get("lasts", "10m"))
        if end <= decided:
            raise ValueError(f"timeline {event['id']}: the session ends before the login")
        return [Connection(event["id"], 0, event["from"], event["to"], begin, decided, end,
                           _port(rng, event["from"], taken, world), str(event["user"]), "accepted",
                           str(event.get("method", "password")), False, rng.getrandbits(48))]


def plan(timeline: list[dict[str, Any]], world: dict[str, Any], seed: int) -> list[Connection]:
    """Every connection of the timeline, in time order."""
    taken: dict[str, set[int]] = {}
    connections = []
    for event in timeline:
        connections += EventType.lookup(event["do"])().connections(event, world, seed, taken)
    return sorted(connections, key=lambda c: (c.start, c.event, c.index))


def _iso(seconds: float) -> str:
    whole = int(seconds)
    return iso_utc(whole, round((seconds - whole) * 1e6) * 1000)


def auth_events(connections: list[Connection], host: str, world: dict[str, Any]) -> list[dict[str, Any]]:
    """sshd's ``auth_log`` events on ``host`` for the connections to it."""
    spec = world.get(host, {})
    users = {str(name): (info or {}) for name, info in (spec.get("users") or {}).items()}
    ips = {name: str(h["ip"]) for name, h in world.items()}
    out = []
    for c in connections:
        if c.server != host:
            continue
        ip, decided = ips[c.client], _iso(c.decided)
        exists = c.user == "root" or c.user in users
        if c.outcome == "failed":
            out.append({"kind": "failed" if exists else "invalid_user", "time": decided, "ip": ip,
                        "port": c.client_port, "user": c.user, "method": c.method})
            out.append({"kind": "closed_preauth", "time": _iso(c.end), "ip": ip, "port": c.client_port,
                        "user": c.user, "valid": exists})
        else:
            uid = 0 if c.user == "root" else users.get(c.user, {}).get("uid", 1000)
            out.append({"kind": "accepted", "time": decided, "ip": ip, "port": c.client_port, "user": c.user,
                        "method": c.method, "uid": uid})
            out.append({"kind": "disconnected", "time": _iso(c.end), "ip": ip, "port": c.client_port,
                        "user": c.user})
            out.append({"kind": "session_closed", "time": _iso(c.end), "user": c.user})
    return out


def ssh_sessions(connections: list[Connection], capture_start: float, hosts: set[str]) -> list[dict[str, Any]]:
    """``ssh`` session entries of a capture for the connections between its ``hosts``."""
    out = []
    for c in connections:
        if c.client not in hosts or c.server not in hosts:
            continue
        sid = c.event if c.index == 0 and c.outcome == "accepted" else f"{c.event}-{c.index + 1}"
        out.append({"id": sid, "type": "ssh", "client": c.client, "server": c.server,
                    "at": round(c.start - capture_start, 6), "client_port": c.client_port,
                    "outcome": c.outcome, "tool": c.tool, "seed": c.seed,
                    "auth_after": round(c.decided - c.start, 6), "lasts": round(c.end - c.decided, 6)})
    return out


def event_truth(connections: list[Connection]) -> dict[str, dict[str, Any]]:
    """``truth.timeline``: per event its first decision time, end, ports and connection count."""
    out: dict[str, dict[str, Any]] = {}
    for c in connections:
        entry = out.setdefault(c.event, {"time": _iso_s(c.decided), "start": _iso(c.start), "connections": 0,
                                         "client_port": c.client_port, "ports": [], "users": [],
                                         "outcome": c.outcome})
        entry["connections"] += 1
        entry["ports"].append(c.client_port)
        entry["end_time"] = _iso_s(c.end)
        if c.user not in entry["users"]:
            entry["users"].append(c.user)
    return out


def _iso_s(seconds: float) -> str:
    """Whole seconds, as syslog writes the line (truncated, like rsyslog's traditional stamp)."""
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
