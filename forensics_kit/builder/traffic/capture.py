"""The capture a recipe describes: hosts, sessions, and the written file with its truth.

Everything random (MACs, ports, ISNs, IP ids, round-trip times, think times)
comes from ``random.Random`` seeded with the capture seed and the session id,
so the same calls always give the same bytes, and adding a session to a recipe
does not change the packets of the others.
"""

from __future__ import annotations

import hashlib
import heapq
import ipaddress
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath

from forensics_kit.builder.traffic.capture_incidents import IncidentSessions
from forensics_kit.builder.traffic.capture_noise import NoiseSessions
from forensics_kit.builder.traffic.capture_services import ServiceSessions
from forensics_kit.builder.traffic.frames import Endpoint, IPAddress
from forensics_kit.builder.traffic.sessions import Frames, Path, Session, dns_session, http_session
from forensics_kit.builder.traffic.writers import FORMATS, write_capture
from forensics_kit.builder.world import is_lan_address, ttl_at_capture
from forensics_kit.builder.world.tcp_stack import tcp_stack
from forensics_kit.errors import RecipeError
from forensics_kit.timefmt import iso_utc

_MAC = re.compile(r"^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$", re.IGNORECASE)


def _error(item: str | None, problem: str) -> RecipeError:
    return RecipeError("traffic", item, problem)


def _iso(time_us: int) -> str | None:
    seconds, micros = divmod(time_us, 1_000_000)
    return iso_utc(seconds, micros * 1000)


def _numbered(
    index: int, packets: list[tuple[int, bytes]],
) -> Iterator[tuple[int, int, int, bytes]]:
    """``(time, session index, packet index, frame)`` for merging sessions."""
    for k, (t, frame) in enumerate(packets):
        yield t, index, k, frame


@dataclass(frozen=True)
class Host:
    """A machine on the wire: name used in recipes, IP address, Ethernet address.

    ``os`` (``windows-10``) and ``hops`` (routers to the capture point) set the TTL
    of its packets; None lets the world model choose from the address. ``browser``
    (chrome, edge, firefox) is the one its person uses: its TLS ClientHellos.
    """

    name: str
    ip: str
    mac: str
    _address: IPAddress = field(repr=False, compare=False)
    os: str | None = None
    hops: int | None = None
    browser: str | None = None
    user_agent: str | None = None  # the browser's User-Agent, when ``browser`` was given as one


class Capture(ServiceSessions, IncidentSessions, NoiseSessions):
    """Collects sessions of synthetic traffic and writes them as one pcap/pcapng file.

    Args:
        start: POSIX seconds of the capture start; session times are relative to it.
        seed: seeds every random choice, so equal inputs give byte-identical files.
        snaplen: bytes kept per frame in the file (longer frames are truncated).
    """

    def __init__(self, start: float, seed: int, snaplen: int = 65535) -> None:
        if snaplen < 64:
            raise _error(None, f"snaplen {snaplen} is too small (at least 64)")
        self.start_us = round(start * 1_000_000)
        self.seed = seed
        self.snaplen = snaplen
        self._hosts: dict[str, Host] = {}
        self._sessions: list[Session] = []
        self._used_ports: set[tuple[str, int, int]] = set()
        self._counters: dict[str, int] = {}
        self._pending: list[Callable[[], None]] = []  # sessions built at write time (noise)
        self._ttls: dict[str, int] = {}  # IP -> TTL at the capture point, one per host
        self._dns_cache: set[tuple[str, str, str]] = set()  # (resolver, name, type) it asked upstream for

    def ttl_of(self, host: Host) -> int:
        """The TTL every packet of ``host`` carries here: its OS's initial TTL minus its hops."""
        ttl = self._ttls.get(host.ip)
        if ttl is None:
            declared = next((h for h in self._hosts.values() if h.ip == host.ip), host)
            ttl = self._ttls[host.ip] = ttl_at_capture(host.ip, declared.os, declared.hops, self.seed)
        return ttl

    def os_of(self, host: Host) -> str:
        """The OS declared for ``host`` ("" when none is), which fixes its TCP options."""
        declared = next((h for h in self._hosts.values() if h.ip == host.ip), host)
        return declared.os or ""

    def set_ttl(self, ip: str, ttl: int) -> None:
        """Fix the TTL of a host the capture generates itself (a noise machine of a known OS)."""
        self._ttls.setdefault(str(ip), ttl)

    # -- hosts -----------------------------------------------------------------

    def add_host(self, name: str, ip: str, mac: str | None = None, *, os: str | None = None,
                 hops: int | None = None, browser: str | None = None) -> Host:
        """Declare a host; without ``mac``, a locally administered one comes from seed and IP.

        ``os`` and ``hops`` fix the TTL of its packets (see :meth:`ttl_of`); ``browser``
        (a name or the User-Agent its browser sends) its TLS sessions' ClientHello.
        """
        item = f"host {name}"
        if name in self._hosts:
            raise _error(item, "host name is declared twice")
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            raise _error(item, f"invalid IP address {ip!r}") from None
        if any(h._address == address for h in self._hosts.values()):
            raise _error(item, f"IP address {ip} already belongs to another host")
        if mac is None:
            digest = bytearray(hashlib.sha256(f"{self.seed}/mac/{address}".encode()).digest()[:6])
            digest[0] = (digest[0] & 0xFC) | 0x02  # unicast, locally administered
            mac = ":".join(f"{b:02x}" for b in digest)
        elif not _MAC.match(mac):
            raise _error(item, f"invalid MAC address {mac!r} (expected aa:bb:cc:dd:ee:ff)")
        if os is not None:
            from forensics_kit.builder.world import os_profile

            try:
                os_profile(os)
            except KeyError as exc:
                raise _error(item, exc.args[0]) from None
        if hops is not None and not 0 <= hops <= 64:
            raise _error(item, f"hops {hops} is not between 0 and 64")
        agent = browser if browser is not None and str(browser).startswith("Mozilla/") else None
        if browser is not None:
            from forensics_kit.builder.world.http_clients import browser_of

            try:
                browser = browser_of(browser)
            except ValueError as exc:
                raise _error(item, str(exc)) from None
        host = Host(name, str(address), mac.lower().replace("-", ":"), address, os, hops, browser, agent)
        self._hosts[name] = host
        return host

    def _host(self, host: Host | str, role: str, sid: str) -> Host:
        known = self._hosts.get(host if isinstance(host, str) else host.name)
        if known is None or (isinstance(host, Host) and known != host):
            name = host if isinstance(host, str) else host.name
            raise _error(f"session {sid}", f"unknown {role} host {name!r} "
                         f"(known: {', '.join(self._hosts) or 'none'})")
        return known

    # -- sessions --------------------------------------------------------------

    def _new_sid(self, kind: str, sid: str | None) -> str:
        if sid is None:
            while True:
                self._counters[kind] = self._counters.get(kind, 0) + 1
                sid = f"{kind}-{self._counters[kind]}"
                if all(s.sid != sid for s in self._sessions):
                    break
        elif any(s.sid == sid for s in self._sessions):
            raise _error(f"session {sid}", "session id is used twice")
        return sid

    def _path(self, sid: str, client: Host, server: Host, proto: int,
              sport: int | None, dport: int) -> Path:
        """Endpoints, RTT and bandwidth for one session; picks a free client port."""
        item = f"session {sid}"
        if client._address.version != server._address.version:
            problem = f"client {client.ip} and server {server.ip} are not both IPv4 or both IPv6"
            raise _error(item, problem)
        if client == server:
            raise _error(item, "client and server are the same host")
        rng = random.Random(f"{self.seed}/session/{sid}")
        pair = random.Random(f"{self.seed}/path/{client.ip}/{server.ip}")
        local = is_lan_address(client._address) and is_lan_address(server._address)
        base_rtt = pair.randint(1_000, 3_000) if local else pair.randint(5_000, 40_000)
        sport = self._port(item, client, proto, sport, rng)
        if not 1 <= dport <= 65535:
            raise _error(item, f"server port {dport} is not between 1 and 65535")
        rtt = max(500, base_rtt + rng.randint(-base_rtt // 10, base_rtt // 10))
        client_mac = bytes.fromhex(client.mac.replace(":", ""))
        server_mac = bytes.fromhex(server.mac.replace(":", ""))
        client_end = Endpoint(client_mac, client._address, sport, self.ttl_of(client), self.os_of(client))
        server_end = Endpoint(server_mac, server._address, dport, self.ttl_of(server), self.os_of(server))
        mbps = rng.choice((20, 50, 100, 200))
        extra = random.Random(f"{self.seed}/ports/{sid}")

        def connect(from_client: bool, src: int | None, dst: int) -> Path:
            if from_client:
                ends = (replace(client_end, port=self._port(item, client, proto, src, extra)),
                        replace(server_end, port=dst))
            elif src is not None:  # a fixed server port (FTP's 20) serves many connections
                ends = (replace(server_end, port=src), replace(client_end, port=dst))
            else:
                ends = (replace(server_end, port=self._port(item, server, proto, src, extra)),
                        replace(client_end, port=dst))
            return Path(*ends, rtt, mbps, rng, connect)

        return Path(client_end, server_end, rtt, mbps, rng, connect)

    def _port(self, item: str, host: Host, proto: int, port: int | None, rng: random.Random) -> int:
        """``port`` checked free on ``host``, or a free ephemeral one; reserved for the capture."""
        if port is None:
            low, high = tcp_stack(self.os_of(host) or None, self.ttl_of(host)).ephemeral
            port = rng.randint(low, high)
            while (host.ip, proto, port) in self._used_ports:
                port = port + 1 if port < high else low
        elif not 1 <= port <= 65535:
            raise _error(item, f"client port {port} is not between 1 and 65535")
        elif (host.ip, proto, port) in self._used_ports:
            raise _error(item, f"client port {port} of {host.ip} is used by another session")
        self._used_ports.add((host.ip, proto, port))
        return port

    def _start(self, sid: str, at: float) -> int:
        if at < 0:
            raise _error(f"session {sid}", f"time {at} s is before the capture start")
        return self.start_us + round(at * 1_000_000)

    def dns_lookup(
        self, client: Host | str, server: Host | str, qname: str, answers: list[str], *,
        at: float, qtype: str = "A", rcode: int = 0, id: str | None = None, upstream: Host | str | None = None,
    ) -> str:
        """A DNS query over UDP at ``at`` seconds and its answer; returns the session id.

        With ``upstream`` the server is a forwarding resolver: the first time it is asked
        for a name it asks ``upstream`` and answers once that answer is in (later
        lookups of the name come from its cache).
        """
        sid = self._new_sid("dns", id)
        client_host = self._host(client, "client", sid)
        server_host = self._host(server, "server", sid)
        path = self._path(sid, client_host, server_host, 17, None, 53)
        t0 = self._start(sid, at)
        session = dns_session(sid, path, t0, qname=qname, qtype=qtype, answers=list(answers), rcode=rcode)
        if upstream is not None and (server_host.ip, qname.lower(), qtype.upper()) not in self._dns_cache:
            self._dns_cache.add((server_host.ip, qname.lower(), qtype.upper()))
            forward = self._host(upstream, "upstream", sid)
            up_path = self._path(f"{sid}/upstream", server_host, forward, 17, None, 53)
            asked = t0 + path.rtt_us // 2 + path.rng.randint(80, 400)
            up = dns_session(f"{sid} upstream", up_path, asked, qname=qname, qtype=qtype, answers=list(answers),
                             rcode=rcode).packets
            answered = max(session.packets[1][0], up[1][0] + path.rng.randint(50, 300))
            session.packets = [session.packets[0], *up, (answered, session.packets[1][1])]
            session.marks = {"query": 0, "response": 3}
        session.facts = {"type": "dns", "client": client_host.ip, "server": server_host.ip,
                         "client_port": path.client.port, **session.facts}
        self._sessions.append(session)
        return sid

    def http_get(
        self, client: Host | str, server: Host | str, *, host: str, uri: str, body: bytes,
        content_type: str, at: float, user_agent: str, status: int = 200,
        sport: int | None = None, dport: int = 80, chunked: bool = False, gzip: bool = False,
        extra_headers: dict | None = None, id: str | None = None,
        response_headers: dict | None = None, retransmit: bool = False,
    ) -> str:
        """A TCP connection at ``at`` seconds carrying one GET and its response.

        ``extra_headers`` go into the request, ``response_headers`` into the
        response; ``retransmit`` loses the request once beyond the tap.
        """
        return self._http("GET", client, server, host=host, uri=uri, user_agent=user_agent,
                          request_body=b"", request_type=None, body=body,
                          content_type=content_type, at=at, status=status, sport=sport,
                          dport=dport, chunked=chunked, gzip=gzip, extra_headers=extra_headers,
                          sid=id, response_headers=response_headers, retransmit=retransmit)

    def http_post(
        self, client: Host | str, server: Host | str, *, host: str, uri: str, data: bytes,
        at: float, user_agent: str, data_type: str = "application/x-www-form-urlencoded",
        body: bytes = b"", content_type: str = "text/html", status: int = 200,
        sport: int | None = None, dport: int = 80, chunked: bool = False, gzip: bool = False,
        extra_headers: dict | None = None, id: str | None = None,
        response_headers: dict | None = None, retransmit: bool = False,
    ) -> str:
        """Like :meth:`http_get`, sending ``data`` (of type ``data_type``) as the request body."""
        return self._http("POST", client, server, host=host, uri=uri, user_agent=user_agent,
                          request_body=data, request_type=data_type, body=body,
                          content_type=content_type, at=at, status=status, sport=sport,
                          dport=dport, chunked=chunked, gzip=gzip, extra_headers=extra_headers,
                          sid=id, response_headers=response_headers, retransmit=retransmit)

    def _http(self, method: str, client: Host | str, server: Host | str, *, sid: str | None,
              at: float, sport: int | None, dport: int, **kwargs) -> str:
        sid = self._new_sid("http", sid)
        client_host = self._host(client, "client", sid)
        server_host = self._host(server, "server", sid)
        path = self._path(sid, client_host, server_host, 6, sport, dport)
        kwargs.setdefault("server_software", self._web_server(server_host))
        session = http_session(sid, path, self._start(sid, at), method=method, **kwargs)
        session.facts = {"type": "http", "client": client_host.ip, "server": server_host.ip,
                         "client_port": path.client.port, "server_port": dport, **session.facts}
        self._sessions.append(session)
        return sid

    @staticmethod
    def _web_server(host: Host) -> str:
        """The web server software a host's OS release runs: IIS on Windows, that release's nginx elsewhere."""
        from forensics_kit.builder.world import web_server_software

        return web_server_software(host.os)

    def _add(self, kind: str, client: Host | str, server: Host | str, *, at: float, sid: str | None,
             dport: int, build: Callable[[str, Path, int], Session], sport: int | None = None,
             proto: int = 6) -> str:
        """Add the session ``build(sid, path, start_us)`` makes; its truth starts with who and where."""
        sid = self._new_sid(kind, sid)
        client_host = self._host(client, "client", sid)
        server_host = self._host(server, "server", sid)
        path = self._path(sid, client_host, server_host, proto, sport, dport)
        session = build(sid, path, self._start(sid, at))
        session.facts = {"type": kind, "client": client_host.ip, "server": server_host.ip,
                         "client_port": path.client.port, "server_port": dport, **session.facts}
        self._sessions.append(session)
        return sid

    def annotate(self, sid: str, **facts: object) -> None:
        """Add facts to a session's truth (what the caller knows of its content, e.g. an upload's hash)."""
        session = next((s for s in self._sessions if s.sid == sid), None)
        if session is None:
            raise _error(f"session {sid}", "no such session")
        session.facts.update(facts)

    # -- output ----------------------------------------------------------------

    def _merged(self, truth: dict) -> Iterator[tuple[int, bytes]]:
        """Yield all frames in stable time order, filling ``truth`` with frame numbers."""
        while self._pending:
            self._pending.pop(0)()
        streams = [_numbered(i, s.packets) for i, s in enumerate(self._sessions)]
        starts = {(i, k): name for i, s in enumerate(self._sessions) for name, k in s.streams.items()}
        numbers: list[list[int]] = [[] for _ in self._sessions]
        times: list[list[int]] = [[] for _ in self._sessions]
        stream_of: list[dict[str, int]] = [{} for _ in self._sessions]
        tcp_streams = 0
        number = 0
        for t, i, k, frame in heapq.merge(*streams, key=lambda p: p[0]):
            number += 1
            numbers[i].append(number)
            times[i].append(t)
            if (i, k) in starts:
                stream_of[i][starts[(i, k)]], tcp_streams = tcp_streams, tcp_streams + 1
            truth["first_time"] = truth["first_time"] or _iso(t)
            truth["last_time"] = _iso(t)
            truth["packets"] = number
            yield t, frame
        for i, session in enumerate(self._sessions):
            frames = Frames(numbers[i], times[i], stream_of[i], _iso)
            if session.describe is not None:
                facts = session.describe(frames)
            else:
                facts = self._session_truth(session, frames)
            truth["sessions"][session.sid] = facts

    @staticmethod
    def _session_truth(session: Session, frames: Frames) -> dict:
        facts = dict(session.facts)
        marks = session.marks
        if session.kind == "dns":
            facts["query_frame"] = frames.number(marks["query"])
            facts["response_frame"] = frames.number(marks["response"])
            facts["time"] = frames.time(marks["query"])
            return facts
        facts["request_frame"] = frames.number(marks["request"])
        facts["response_frame"] = frames.number(marks["response"])
        facts["frames"] = frames.span()
        facts["tcp_stream"] = frames.streams["main"]
        facts["time"] = frames.time(marks["request"])
        facts["response_time"] = frames.time(marks["response"])
        return facts

    def write(self, path: str | FsPath, fmt: str = "pcap") -> dict:
        """Write the capture as ``fmt`` ("pcap" or "pcapng") and return its truth.

        Truth: ``packets``, ``first_time``, ``last_time`` (ISO UTC) and per
        session id its facts with 1-based frame numbers as Wireshark counts them.
        """
        truth: dict = {"packets": 0, "first_time": None, "last_time": None, "sessions": {}}
        if fmt not in FORMATS:
            known = ", ".join(FORMATS)
            raise _error(None, f"unknown capture format {fmt!r} (known: {known})")
        try:
            with open(path, "wb") as stream:
                write_capture(stream, self._merged(truth), fmt=fmt, snaplen=self.snaplen)
        except OSError as exc:
            raise _error(None, f"cannot write {path}: {exc.strerror or exc}") from exc
        return truth
