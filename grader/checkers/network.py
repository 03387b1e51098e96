"""IP address answers (``ip``): IPv4 or IPv6, compared by value.

``2001:DB8::1`` and ``2001:db8:0:0:0:0:0:1`` are the same address, and an
IPv4-mapped IPv6 address (``::ffff:10.0.0.5``) equals its IPv4 form. Dotted
parts with leading zeros are refused: tools disagree on whether they are octal.
"""

from __future__ import annotations

import ipaddress
import re

from grader.checkers.base import Checker, CheckResult, as_text, correct, wrong
from grader.errors import InvalidAnswer
from grader.i18n import msg

__all__ = ["IpChecker", "parse_ip"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DOTTED = re.compile(r"\d+(\.\d+){3}")


class IpChecker(Checker):
    """One IP address; ``expected`` is its text form. No options."""

    name = "ip"

    def normalize(self, value: object) -> IPAddress:
        """The address as an :mod:`ipaddress` object (mapped IPv6 becomes IPv4)."""
        return parse_ip(as_text(value, "kind.ip", numbers=False))

    def prepare_expected(self, expected: object) -> IPAddress:
        if not isinstance(expected, str):
            raise self._config_error(f"expected must be an address as text, not {expected!r}")
        try:
            return self.normalize(expected)
        except InvalidAnswer:
            raise self._config_error(f"expected {expected!r} is not a valid IP address") from None

    def score(self, given: object, expected: IPAddress, max_points: float) -> CheckResult:
        address = self.normalize(given)
        if address == expected:
            return correct(max_points)
        if address.version != expected.version:
            return wrong(max_points, msg("ip.wrong_version", got=address.version,
                                         want=expected.version))
        return wrong(max_points, msg("ip.wrong"))


def parse_ip(text: str) -> IPAddress:
    """Parse an address from text, raising :class:`InvalidAnswer` with a helpful reason."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if _DOTTED.fullmatch(text) and any(len(p) > 1 and p.startswith("0") for p in text.split(".")):
        raise InvalidAnswer(msg("ip.leading_zeros", given=text))
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        if "/" in text:
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError:
                pass
            else:
                raise InvalidAnswer(msg("ip.network", given=text)) from None
        raise InvalidAnswer(msg("ip.invalid", given=text)) from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
