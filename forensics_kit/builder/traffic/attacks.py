"""Attacker behaviour over TCP: a SYN port scan, password brute force, periodic C2 beacons.

Each is many small connections from one source; truth lists what an examiner
should find (open ports, the password that worked, the beacon interval) with
the frames and TCP streams that show it. The only TCP expert notes are the
ones a real attack creates: RSTs of the scan and of dropped logins.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from forensics_kit.builder.traffic.dialogue import Dialogue, join
from forensics_kit.builder.traffic.frames import ACK, RST, SYN, tcp_frame
from forensics_kit.builder.traffic.sessions import Frames, Path, Session
from forensics_kit.builder.world.os_profile import ftp_greeting, web_server_software
from forensics_kit.errors import RecipeError

SERVICES = ("ftp", "ssh", "http", "telnet")


def port_scan_session(sid: str, path: Path, t0: int, *, ports: list[int], open_ports: list[int],
                      interval_ms: float = 2.0) -> Session:
    """nmap -sS: a SYN per port from one source port; open ports SYN/ACK (scanner RSTs), closed RST/ACK."""
    item = f"session {sid}"
    if not ports or any(not 1 <= p <= 65535 for p in ports) or len(set(ports)) != len(ports):
        raise RecipeError("traffic", item, "scan ports must be distinct numbers between 1 and 65535")
    if not set(open_ports) <= set(ports):
        raise RecipeError("traffic", item, "open ports must be among the scanned ports")
    rng = path.rng
    order = list(ports)
    rng.shuffle(order)  # nmap randomises the port order
    packets, streams, t = [], {}, t0
    mss = b"\x02\x04\x05\xb4"
    for port in order:
        server = replace(path.server, port=port)
        seq = rng.getrandbits(32)
        streams[f"p{port}"] = len(packets)
        packets.append((t, tcp_frame(path.client, server, seq=seq, ack=0, flags=SYN, window=1024,
                                     ip_id=rng.getrandbits(16), payload=b"", options=mss)))
        back = t + path.rtt_us + rng.randint(0, path.rtt_us // 5)
        if port in open_ports:
            packets.append((back, tcp_frame(server, path.client, seq=rng.getrandbits(32), ack=seq + 1,
                                            flags=SYN | ACK, window=64240, ip_id=0, options=mss)))
            packets.append((back + rng.randint(20, 90), tcp_frame(
                path.client, server, seq=seq + 1, ack=0, flags=RST, window=0, ip_id=rng.getrandbits(16))))
        else:
            packets.append((back, tcp_frame(server, path.client, seq=0, ack=seq + 1, flags=RST | ACK,
                                            window=0, ip_id=0)))
        t += max(1, round(interval_ms * 1000 * rng.uniform(0.8, 1.2)))
    session = _sorted_session(sid, "port_scan", packets, streams)
    facts = {"ports_scanned": len(ports), "open_ports": sorted(open_ports),
             "closed_ports": sorted(set(ports) - set(open_ports)), "scan_type": "syn"}

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.pop("server_port", None)
        out.update(facts, frames=frames.span(), time=frames.time(0), last_time=frames.time(len(frames.numbers) - 1),
                   tcp_streams=[min(frames.streams.values()), max(frames.streams.values())])
        return out

    session.describe = describe
    return session


def _sorted_session(sid: str, kind: str, packets: list[tuple[int, bytes]], streams: dict[str, int]) -> Session:
    """A session from packets not yet in time order; stream starts follow their packets."""
    order = sorted(range(len(packets)), key=lambda i: packets[i][0])
    position = {old: new for new, old in enumerate(order)}
    return Session(sid, kind, True, [packets[i] for i in order],
                   streams={name: position[k] for name, k in streams.items()})


def _attempt(service: str, conv: Dialogue, user: str, password: str, ok: bool, host: str, rng) -> None:
    """One login attempt on a fresh connection, as the service answers it."""
    if service == "ftp":
        conv.say(False, ftp_greeting(conv.conv.server.os), think_ms=1)
        conv.say(True, f"USER {user}\r\n".encode(), think_ms=rng.uniform(1, 5))
        conv.say(False, b"331 Please specify the password.\r\n", think_ms=0.3)
        conv.say(True, f"PASS {password}\r\n".encode(), think_ms=rng.uniform(1, 5), mark="pass")
        conv.say(False, b"230 Login successful.\r\n" if ok else b"530 Login incorrect.\r\n",
                 think_ms=rng.uniform(5, 30) if ok else rng.uniform(600, 900), mark="reply")
        conv.say(True, b"QUIT\r\n", think_ms=rng.uniform(1, 5))
        conv.say(False, b"221 Goodbye.\r\n", think_ms=0.3)
        conv.close(False, after_ms=0.2)
    elif service == "telnet":
        conv.say(False, f"{host} login: ".encode(), think_ms=2)
        conv.say(True, f"{user}\r\n".encode(), think_ms=rng.uniform(1, 5))
        conv.say(False, b"Password: ", think_ms=0.5)
        conv.say(True, f"{password}\r\n".encode(), think_ms=rng.uniform(1, 5), mark="pass")
        conv.say(False, f"Last login: Thu Feb 29 17:02:11 2024\r\n{user}@{host}:~$ ".encode() if ok
                 else b"\r\nLogin incorrect\r\n", think_ms=rng.uniform(5, 30) if ok else rng.uniform(2000, 3000),
                 mark="reply")
        conv.close(True, after_ms=rng.uniform(1, 5))
    elif service == "http":
        form = f"username={user}&password={password}".encode()
        request = (f"POST /login HTTP/1.1\r\nHost: {host}\r\nUser-Agent: python-requests/2.31.0\r\n"
                   "Accept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n").encode() + form
        conv.say(True, request, think_ms=0.3, mark="pass")
        body = b"Welcome" if ok else b"Invalid username or password"
        status = "302 Found\r\nLocation: /dashboard" if ok else "401 Unauthorized"
        software = web_server_software(conv.conv.server.os)
        conv.say(False, (f"HTTP/1.1 {status}\r\nServer: {software}\r\nContent-Type: text/plain\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body,
                 think_ms=rng.uniform(20, 80), mark="reply")
        conv.close(False, after_ms=0.2)
    else:  # ssh: banner exchange, then the tool drops the connection (key exchange is not modelled)
        conv.say(False, b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n", think_ms=2)
        conv.say(True, b"SSH-2.0-libssh2_1.10.0\r\n", think_ms=0.5, mark="pass")
        conv.conv.marks["reply"] = conv.conv.marks["pass"]
        conv.close(True, after_ms=rng.uniform(1, 10))

def brute_force_session(sid: str, path: Path, t0: int, *, service: str, user: str, passwords: list[str],
                        success: str | None = None, host: str = "srv01", interval_ms: float = 300.0) -> Session:
    """One connection per password from ``passwords`` (in order); ``success`` (if listed) logs in and stops."""
    item = f"session {sid}"
    if service not in SERVICES:
        raise RecipeError("traffic", item, f"unknown brute-force service {service!r} (known: {', '.join(SERVICES)})")
    if not passwords:
        raise RecipeError("traffic", item, "a brute force needs at least one password")
    if success is not None and service == "ssh":
        raise RecipeError("traffic", item, "an SSH login cannot be seen to succeed (no key exchange is modelled)")
    if success is not None and success not in passwords:
        raise RecipeError("traffic", item, f"the successful password {success!r} is not in the word list")
    rng = path.rng
    conns, t, tried = {}, t0, []
    for number, password in enumerate(passwords):
        attempt_path = path if number == 0 else path.connect(True, None, path.server.port)
        conv = Dialogue(attempt_path.client, attempt_path.server, t, rng=rng, rtt_us=path.rtt_us, mbps=path.mbps)
        _attempt(service, conv, user, password, password == success, host, rng)
        conns[f"a{number}"] = conv.end()
        tried.append(password)
        t = conv.t + round(interval_ms * 1000 * rng.uniform(0.7, 1.3))
        if password == success:
            break
    joined = join(conns)
    session = Session(sid, "brute_force", True, joined.packets, joined.marks, streams=joined.streams)
    attempts = [{"password": p, "client_port": conns[f"a{n}"].client.port} for n, p in enumerate(tried)]

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(service=service, user=user, attempts=len(tried), passwords_tried=tried,
                   success=success is not None, password=success, frames=frames.span(), time=frames.time(0),
                   tcp_streams=[frames.streams["a0"], frames.streams[f"a{len(tried) - 1}"]])
        for n, attempt in enumerate(attempts):
            attempt["password_frame"] = frames.number(_mark(joined, conns, n, "pass"))
            attempt["reply_frame"] = frames.number(_mark(joined, conns, n, "reply"))
            attempt["tcp_stream"] = frames.streams[f"a{n}"]
        out["attempt_list"] = attempts
        if success is not None:
            out["success_frame"] = attempts[-1]["reply_frame"]
        return out

    session.describe = describe
    return session


def _mark(joined, conns: dict, n: int, mark: str, prefix: str = "a") -> int:
    """Merged index of a mark in connection ``n`` (marks repeat per connection, so join keeps only one)."""
    conv = conns[f"{prefix}{n}"]
    target = conv.packets[conv.marks[mark]][1]
    first, last = joined.bounds[f"{prefix}{n}"]
    return next(i for i in range(first, last + 1) if joined.packets[i][1] is target)


def beacon_session(sid: str, path: Path, t0: int, *, count: int, interval_s: float, jitter_pct: float,
                   host: str, uri: str, user_agent: str, response: bytes, raw: bytes | None = None) -> Session:
    """``count`` connections every ``interval_s`` ± ``jitter_pct`` %: an HTTP GET each, or ``raw`` bytes."""
    item = f"session {sid}"
    if count < 1 or interval_s <= 0 or not 0 <= jitter_pct < 100:
        raise RecipeError("traffic", item, "beacons need count >= 1, interval > 0 and jitter 0-99 %")
    rng = path.rng
    conns, t, starts = {}, t0, []
    for number in range(count):
        beacon_path = path if number == 0 else path.connect(True, None, path.server.port)
        conv = Dialogue(beacon_path.client, beacon_path.server, t, rng=rng, rtt_us=path.rtt_us, mbps=path.mbps)
        if raw is None:
            request = (f"GET {uri} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\nAccept: */*\r\n"
                       "Connection: close\r\n\r\n").encode()
            reply = (f"HTTP/1.1 200 OK\r\nServer: {web_server_software(path.server.os)}\r\n"
                     "Content-Type: application/octet-stream\r\n"
                     f"Content-Length: {len(response)}\r\nConnection: close\r\n\r\n").encode() + response
        else:
            request, reply = raw, response
        conv.say(True, request, think_ms=0.3, mark="request")
        if reply:
            conv.say(False, reply, think_ms=rng.uniform(5, 60))
        conv.close(True, after_ms=rng.uniform(1, 20))
        conns[f"b{number}"] = conv.end()
        starts.append(t)
        jitter = interval_s * jitter_pct / 100
        t += round((interval_s + rng.uniform(-jitter, jitter)) * 1_000_000)
    joined = join(conns)
    session = Session(sid, "beacon", True, joined.packets, joined.marks, streams=joined.streams)
    gaps = [(b - a) / 1e6 for a, b in zip(starts, starts[1:], strict=False)]

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(count=count, interval_s=interval_s, jitter_pct=jitter_pct,
                   mean_interval_s=round(sum(gaps) / len(gaps), 3) if gaps else None,
                   host=host if raw is None else None, uri=uri if raw is None else None,
                   frames=frames.span(), time=frames.time(0),
                   request_frames=[frames.number(_mark(joined, conns, n, "request", "b")) for n in range(count)],
                   tcp_streams=[frames.streams[f"b{n}"] for n in range(count)],
                   response_sha256=None if not response else hashlib.sha256(response).hexdigest())
        return out

    session.describe = describe
    return session

