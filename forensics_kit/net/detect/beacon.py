"""Beaconing: a host contacting the same destination again and again at a steady interval.

Implants call home on a timer; people and most software do not. Events are
new TCP connections (SYN), HTTP requests (a request line at the start of a
client segment) and DNS queries (per queried name).

One definition of jitter, the one implants are configured with ("sleep 60 s
± 20 %") and the labs' keys use: half the spread between the longest and the
shortest interval, over the mean interval, ``(max - min) / 2 / mean``. The
mean interval is the time from the first to the last event over the number of
intervals. Both are reported (``interval_s``, ``jitter_pct``; the median and the
extremes too), and ``max_jitter`` is a threshold on that same jitter.

A series is reported when it has at least ``min_count`` (8) events, a median
interval of at least ``min_interval`` (5 s: faster repeats are bursts, a brute
force or a poll, not a call home), jitter <= ``max_jitter`` (0.2) and stdev/mean
<= ``max_cv`` (0.5). A host contacting a server at random (Poisson) moments
passes with 8 events about once in 100,000 series at the default ``max_jitter``
and 0.6 % of the time at 0.5 (0.09 % with 10 events), while a beacon with ±35 %
jitter over 28 calls measures 23-39 % and so needs ``--set beacon.max_jitter=0.5``.
A missed beat doubles one interval and raises the jitter with it (to about 80 %
at ±35 %): raise ``max_jitter`` to see such a series.
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
        "max_jitter": 0.2,  # (longest - shortest interval) / 2 / mean interval: the "± jitter"
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
        mean = (times[-1] - times[0]) / 1e9 / len(intervals)
        shortest, longest = min(intervals), max(intervals)
        jitter = (longest - shortest) / 2 / mean
        if jitter > self.opt["max_jitter"]:
            return None
        cv = statistics.pstdev(intervals) / mean
        if cv > self.opt["max_cv"]:
            return None
        kind = key[0]
        numbers = {"channel": kind, "count": series.evidence.count, "interval_s": round(mean, 3),
                   "median_interval_s": round(median, 3), "jitter_pct": round(jitter * 100, 1),
                   "stdev_pct": round(cv * 100, 1), "min_interval_s": round(shortest, 3),
                   "max_interval_s": round(longest, 3)}
        target = key[2]
        parts = [("beaconing", {"source": key[1], "label": series.label, "interval": mean,
                                "jitter": jitter * 100, "count": series.evidence.count})]
        return Finding("beaconing", parts, key[1], [target], numbers, series.evidence.frames,
                       series.evidence.count, iso(times[0]), iso(times[-1]))
