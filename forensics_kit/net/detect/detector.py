"""The detector contract, the registry and the finding record.

A detector is a small class: a ``name``, a docstring, ``options`` (thresholds
with defaults, so a trainer can tune them per lab), ``packet()`` called once
per decoded frame and ``finish()`` returning findings. Subclassing registers
it; asking for an unknown detector or option names the known ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from forensics_kit.errors import ForensicsKitError
from forensics_kit.net.detect.messages import render
from forensics_kit.net.reader import iso_ns

MAX_FRAMES = 20  # evidence frames listed per finding; ``frame_count`` has them all


def iso(ts_ns: int) -> str | None:
    """ISO 8601 UTC of a capture time stamp in nanoseconds."""
    return iso_ns(ts_ns)


@dataclass(slots=True)
class Finding:
    """One suspicious pattern: what, who, against whom, the numbers, and where to look.

    ``parts`` are the summary's template parts (:mod:`messages`), from which
    ``summary`` is written in English and the CLI writes it in the trainee's language;
    ``frames`` lists the first evidence frames (at most 20), ``frame_count``
    how many there are in all; ``numbers`` holds the values that triggered it.
    """

    kind: str
    parts: list[tuple[str, dict[str, Any]]]
    source: str
    targets: list[str]
    numbers: dict[str, Any]
    frames: list[int]
    frame_count: int
    first: str | None = None
    last: str | None = None
    detector: str = ""

    @property
    def summary(self) -> str:
        """One line in English: what, who, against whom."""
        return render(self.parts)

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"kind": self.kind, "detector": self.detector, "summary": self.summary,
                "source": self.source, "targets": list(self.targets), "numbers": dict(self.numbers),
                "frames": list(self.frames), "frame_count": self.frame_count,
                "first": self.first, "last": self.last}


class Evidence:
    """Frame numbers of one finding: the first MAX_FRAMES kept, all counted."""

    __slots__ = ("frames", "count")

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.count = 0

    def add(self, frame: int) -> None:
        self.count += 1
        if len(self.frames) < MAX_FRAMES:
            self.frames.append(frame)


class DetectError(ForensicsKitError):
    """An unknown detector or option, or an option value of the wrong type."""


@dataclass(slots=True)
class Packet:
    """One decoded frame as detectors see it (built once, shared by all of them).

    ``ip`` is the :func:`~forensics_kit.net.decode.decode` tuple (None for
    undecodable frames); ``payload`` is the transport payload (TCP/UDP) or IP
    payload; ``src``/``dst`` are text addresses (empty for non-IP frames).
    """

    number: int
    ts_ns: int
    linktype: int
    data: bytes
    ip: tuple | None
    src: str = ""
    dst: str = ""
    payload: bytes = b""


class Detector:
    """Base of every detector; subclasses set ``name``, ``kind`` and ``options``.

    ``packet(pkt)`` sees every frame in capture order; ``finish()`` returns
    findings once the capture is read. Memory must grow with the number of
    hosts/conversations watched, not with packets.
    """

    name: ClassVar[str] = ""
    options: ClassVar[dict[str, Any]] = {}
    registry: ClassVar[dict[str, type[Detector]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            Detector.registry[cls.name] = cls

    def __init__(self, **values: Any) -> None:
        self.opt = dict(self.options)
        for key, value in values.items():
            if key not in self.options:
                known = ", ".join(f"{self.name}.{k}" for k in self.options)
                raise DetectError(f"unknown option {self.name}.{key} (known: {known})")
            self.opt[key] = _coerce(self.name, key, self.options[key], value)

    def packet(self, pkt: Packet) -> None:
        """Look at one frame."""

    def finish(self) -> list[Finding]:
        """Findings, once every frame has been seen."""
        return []


def _coerce(name: str, key: str, default: Any, value: Any) -> Any:
    """Convert an option given as text (``--set beacon.min_count=5``) to its default's type."""
    kind = type(default)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    try:
        if kind is bool:
            text = str(value).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(text)
            return text in ("1", "true", "yes")
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)
        return kind(value)
    except (TypeError, ValueError):
        raise DetectError(f"option {name}.{key}: {value!r} is not a {kind.__name__}") from None
