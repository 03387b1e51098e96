"""Run the detectors over a capture in one pass.

The capture is streamed once; IPv4 fragments are reassembled first
(:mod:`..fragments`), each frame is decoded once and shown to every selected
detector. Options come as ``{"beacon.min_count": 5}`` or
``{"beacon": {"min_count": 5}}``; values given as text are converted to the
type of the default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from forensics_kit.net.decode import addr_text, decode, link_warnings
from forensics_kit.net.detect.detector import DetectError, Detector, Finding, Packet
from forensics_kit.net.fragments import Ipv4Defragmenter, defragment
from forensics_kit.net.reader import CaptureReader

PROGRESS_EVERY = 50_000


def _split_options(options: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    per: dict[str, dict[str, Any]] = {}
    for key, value in (options or {}).items():
        if isinstance(value, Mapping):
            per.setdefault(key, {}).update(value)
            continue
        name, dot, option = key.partition(".")
        if not dot or not option:
            raise DetectError(f"option {key!r} should be written detector.option=value")
        per.setdefault(name, {})[option] = value
    return per


def make_detectors(names: Iterable[str] | None = None,
                   options: Mapping[str, Any] | None = None) -> list[Detector]:
    """Instances of the named detectors (all when None), with their options set."""
    registry = Detector.registry
    chosen = list(names) if names else list(registry)
    known = ", ".join(sorted(registry))
    for name in chosen:
        if name not in registry:
            raise DetectError(f"unknown detector {name!r} (known: {known})")
    per = _split_options(options)
    for name in per:
        if name not in registry:
            raise DetectError(f"option for unknown detector {name!r} (known: {known})")
        if name not in chosen:
            raise DetectError(f"option for detector {name!r}, which is not selected")
    return [registry[name](**per.get(name, {})) for name in chosen]


def detect(path: str | Path, detectors: Iterable[str] | None = None,
           options: Mapping[str, Any] | None = None,
           progress: Callable[[str, int, int], None] | None = None,
           warnings: list[str] | None = None) -> list[Finding]:
    """Findings of the selected detectors (all when None), in order of first evidence frame.

    Raises :class:`DetectError` for unknown detectors or options before the
    capture is read, EvidenceError when the file is not a capture.
    """
    active = make_detectors(detectors, options)
    reader = CaptureReader(path)
    frag = Ipv4Defragmenter()
    names: dict[bytes, str] = {}
    hooks = [d.packet for d in active]
    for number, ts_ns, _, linktype, data, _ in defragment(reader.records(), frag):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress("detect", number, 0)
        d = decode(linktype, data)
        pkt = Packet(number, ts_ns, linktype, data, d)
        if d is not None:
            if d[0] and d[2]:  # a damaged IP header leaves the addresses empty
                src, dst = d[2], d[3]
                pkt.src = names.get(src) or names.setdefault(src, addr_text(src))
                pkt.dst = names.get(dst) or names.setdefault(dst, addr_text(dst))
                if len(names) > 100_000:
                    names.clear()
            pkt.payload = data[d[6] : d[7]]
        for hook in hooks:
            hook(pkt)
    findings: list[Finding] = []
    for detector in active:
        for finding in detector.finish():
            finding.detector = detector.name
            findings.append(finding)
    if warnings is not None:
        warnings.extend(reader.warnings + link_warnings(reader.link_counts))
        if frag.dropped or frag.pending:
            warnings.append(f"{frag.dropped + frag.pending} IPv4 datagram(s) never completed from fragments")
    findings.sort(key=lambda f: (f.frames[0] if f.frames else 0, f.kind))
    return findings
