"""Beaconing: a host contacting the same destination again and again at a steady interval.

Implants call home on a timer; people and most software do not. Events are
new TCP connections (SYN), HTTP requests (a request line at the start of a
client segment) and DNS queries (per queried name). A series is reported when
it has enough events, an interval above a floor, and two small measures of
spread: the median absolute deviation of the intervals over their median
(robust to a missed beat) and their stdev over their mean.

Why both, and why 8 events: a host that contacts a server at random (Poisson)
moments has intervals whose MAD/median is ~0.7 on average, but over only 5
intervals it falls under 0.2 one time in ten, so in a busy capture MAD alone
calls random repeats beacons. With stdev/mean <= 0.5 as well and at least 8
events, a random series passes 1.5% of the time (6% with ``max_jitter`` 0.5;
0.4% and 2.7% with 10 events), while a beacon with +-35% jitter and a missed
beat still passes. Repeats faster than ``min_interval`` (5 s) are bursts: a
brute force or a poll, not a call home.
"""

from __future__ import annotations

import re
import statistics

from forensics_kit.net.detect.detector import Detector, Evidence, Finding, Packet, iso
from forensics_kit.net.detect.dnsname import query_name

_REQUEST = re.compile(rb"(GET|POST|HEAD|PUT) (\S{1,200}) HTTP/1\.[01]\r?\n")
_HOST = re.compile(rb"\r\nHost: *([^\r\n]{1,200})", re.IGNORECASE)
MAX_EVENTS = 100_000  # per series; more is not needed to see a rhythm


class _Series:
    __slots__ = ("times", "evidence", "label")

    def __init__(self, label: str) -> None:
        self.times: list[int] = []
        self.evidence = Evidence()
        self.label = label


class Beacon(Detector):
    """Periodic connections, HTTP requests or DNS queries from one host to one destination."""

    name = "beacon"
    options = {
        "min_count": 8,  # events in the series
        "max_jitter": 0.2,  # MAD / median of the intervals
        "max_cv": 0.5,  # stdev / mean of the intervals
        "min_interval": 5.0,  # seconds: faster repeats are bursts (brute force, polling), not beacons
    }

    def __init__(self, **values) -> None:
        super().__init__(**values)
        self.series: dict[tuple, _Series] = {}
        self._last_syn: dict[tuple, int] = {}

    def _event(self, key: tuple, label: str, pkt: Packet) -> None:
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = _Series(label)
        if len(series.times) < MAX_EVENTS:
            series.times.append(pkt.ts_ns)
        series.evidence.add(pkt.number)

    def packet(self, pkt: Packet) -> None:
        d = pkt.ip
        if d is None or d[4] is None:
            return
        if d[1] == 6:
            if d[9] & 0x12 == 0x02:
                conn = (pkt.src, d[4], pkt.dst, d[5])
                if self._last_syn.get(conn) == d[8]:
                    return  # retransmitted SYN: same connection attempt
                self._last_syn[conn] = d[8]
                self._event(("tcp", pkt.src, pkt.dst, d[5]), f"{pkt.dst}:{d[5]}", pkt)
            elif d[7] > d[6] and pkt.payload[:1] in b"GPH":
                match = _REQUEST.match(pkt.payload)
                if match:
                    host = _HOST.search(pkt.payload)
                    name = host.group(1).decode("latin-1") if host else pkt.dst
                    uri = match.group(2).decode("latin-1").split("?")[0]
                    self._event(("http", pkt.src, pkt.dst, d[5], name, uri), f"http://{name}{uri}", pkt)
        elif d[1] == 17 and d[5] == 53 and len(pkt.payload) > 12 and not pkt.payload[2] & 0x80:
            name = query_name(pkt.payload)
            if name:
                self._event(("dns", pkt.src, name), f"DNS {name}", pkt)

    def finish(self) -> list[Finding]:
        found: list[tuple[tuple, Finding]] = []
        for key, series in self.series.items():
            finding = self._judge(key, series)
            if finding is not None:
                found.append((key, finding))
        # one implant, two views: keep the HTTP series over the TCP connections carrying it
        http = {(k[1], k[2], k[3]): f.numbers["count"] for k, f in found if k[0] == "http"}
        return [f for k, f in found
                if not (k[0] == "tcp" and http.get((k[1], k[2], k[3]), 0) >= 0.8 * f.numbers["count"])]

    def _judge(self, key: tuple, series: _Series) -> Finding | None:
        times = series.times
        if len(times) < self.opt["min_count"]:
            return None
        intervals = [(b - a) / 1e9 for a, b in zip(times, times[1:], strict=False)]
        median = statistics.median(intervals)
        if median < self.opt["min_interval"]:
            return None
        mad = statistics.median(abs(i - median) for i in intervals)
        jitter = mad / median
        if jitter > self.opt["max_jitter"]:
            return None
        mean = statistics.fmean(intervals)
        cv = statistics.pstdev(intervals) / mean if mean else 0.0
        if cv > self.opt["max_cv"]:
            return None
        kind = key[0]
        numbers = {"channel": kind, "count": series.evidence.count, "interval_s": round(median, 3),
                   "jitter_pct": round(jitter * 100, 1), "stdev_pct": round(cv * 100, 1),
                   "min_interval_s": round(min(intervals), 3), "max_interval_s": round(max(intervals), 3)}
        target = key[2]
        parts = [("beaconing", {"source": key[1], "label": series.label, "interval": median,
                                "jitter": jitter * 100, "count": series.evidence.count})]
        return Finding("beaconing", parts, key[1], [target], numbers, series.evidence.frames,
                       series.evidence.count, iso(times[0]), iso(times[-1]))
