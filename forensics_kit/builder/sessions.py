"""Traffic session types: each ``sessions:`` entry of a capture recipe is one call of the generator.

A session type checks its rendered entry and calls the matching method of
:class:`forensics_kit.builder.traffic.Capture`; adding a protocol is one class here
plus its keys in ``recipe.schema.json``.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from forensics_kit.builder.artefact import BuildContext, Location
from forensics_kit.builder.content import make_content
from forensics_kit.builder.parameters import parse_duration
from forensics_kit.builder.registry import Registered

if TYPE_CHECKING:
    from forensics_kit.builder.traffic import Capture, Host

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0"
)
_CONTENT_TYPES = {
    "text": "text/plain",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
    "jpeg": "image/jpeg",
    "bytes": "application/octet-stream",
}


class SessionType(Registered):
    """Contract: ``add(capture, hosts, spec, context, where) -> session id``.

    ``spec`` is rendered; ``where`` locates it in the recipe for errors; ``at`` in
    the spec is the start in seconds (or a duration like ``"1m5s"``) after the
    capture start.
    """

    kind: ClassVar[str] = "session type"
    registry: ClassVar[dict[str, type[Registered]]] = {}

    @abstractmethod
    def add(
        self,
        capture: Capture,
        hosts: dict[str, Host],
        spec: dict[str, Any],
        context: BuildContext,
        where: Location,
    ) -> str:
        """Add the session to the capture and return its id."""


def offset_seconds(
    spec: dict[str, Any], context: BuildContext, where: Location, start: float
) -> float:
    """Seconds after the capture start of a session's ``at``; checked against the window."""
    try:
        at = parse_duration(spec["at"])
    except (TypeError, ValueError) as exc:
        raise context.fail((*where, "at"), str(exc)) from None
    if at < 0:
        raise context.fail((*where, "at"), "a session cannot start before the capture")
    window = context.recipe.window
    if window and not window[0] <= start + at <= window[1]:
        raise context.fail((*where, "at"), "the session time is outside the case window")
    return at


class DnsSession(SessionType):
    """A DNS query over UDP and its answer (A records)."""

    name = "dns"

    def add(self, capture, hosts, spec, context, where):
        at = offset_seconds(spec, context, where, capture.start_us / 1e6)
        answers = [str(answer) for answer in spec["answers"]]
        return capture.dns_lookup(
            hosts[spec["client"]],
            hosts[spec["server"]],
            str(spec["qname"]),
            answers,
            at=at,
            qtype=spec.get("qtype", "A"),
            id=spec["id"],
        )


class HttpGetSession(SessionType):
    """A TCP connection with one HTTP GET and its response carrying generated content."""

    name = "http_get"

    def add(self, capture, hosts, spec, context, where):
        at = offset_seconds(spec, context, where, capture.start_us / 1e6)
        content = spec["content"]
        body = make_content(content, context.rng("session", spec["id"]))
        kind = "text" if "text" in content else content["generate"]
        return capture.http_get(
            hosts[spec["client"]],
            hosts[spec["server"]],
            host=str(spec["host"]),
            uri=str(spec["uri"]),
            body=body,
            content_type=spec.get("content_type", _CONTENT_TYPES[kind]),
            at=at,
            user_agent=str(spec.get("user_agent", DEFAULT_USER_AGENT)),
            status=spec.get("status", 200),
            dport=spec.get("port", 80),
            chunked=spec.get("chunked", False),
            gzip=spec.get("gzip", False),
            id=spec["id"],
        )
