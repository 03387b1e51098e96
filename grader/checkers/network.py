"""Network answers: IP addresses (``ip``), networks (``cidr``) and MAC addresses (``mac``).

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

__all__ = ["CidrChecker", "IpChecker", "MacChecker", "parse_ip"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DOTTED = re.compile(r"\d+(\.\d+){3}")
_IP_LABEL = re.compile(r"^(?:src|dst|source|destination|ip|address|addr|inet|host|client|server|адрес)"
                       r"\s*(?:address)?\s*[:=]\s*", re.IGNORECASE)


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
    text = text.strip()[:200]
    text = _IP_LABEL.sub("", text)
    bracketed = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?", text)  # [::1] and [::1]:443
    if bracketed:
        text = bracketed.group(1)
    with_port = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}", text)  # 10.0.0.5:443 (tshark, netstat)
    if with_port:
        text = with_port.group(1)
    named = re.fullmatch(r"[\w.-]+\s*\(([0-9A-Fa-f:.]+)\)", text)  # host.example (10.0.0.5), Wireshark's resolved view
    if named:
        text = named.group(1)
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


class CidrChecker(Checker):
    """A network in CIDR form (``10.0.0.0/24``); a netmask (``/255.255.255.0``) is read too.

    An answer with host bits set (``10.0.0.7/24``) is read as its network and the
    reason says so: it is the same network, written loosely.
    """

    name = "cidr"

    def normalize(self, value: object) -> IPNetwork:
        """The network as an :mod:`ipaddress` network object (host bits cleared)."""
        return self._read(value)[0]

    def prepare_expected(self, expected: object) -> IPNetwork:
        if not isinstance(expected, str):
            raise self._config_error(f"expected must be a network as text, not {expected!r}")
        try:
            return self.normalize(expected)
        except InvalidAnswer:
            raise self._config_error(f"expected {expected!r} is not a network in CIDR form") from None

    def score(self, given: object, expected: IPNetwork, max_points: float) -> CheckResult:
        network, loose = self._read(given)
        note = [msg("cidr.host_bits", network=str(network))] if loose else []
        if network == expected:
            return correct(max_points, msg("joined", parts=[*note, msg("answer.correct")]))
        if network.version != expected.version:
            why = msg("ip.wrong_version", got=network.version, want=expected.version)
        elif network.prefixlen != expected.prefixlen and (
            network.overlaps(expected)
        ):
            why = msg("cidr.wrong_prefix")
        else:
            why = msg("cidr.wrong")
        return wrong(max_points, msg("joined", parts=[*note, why]))

    def _read(self, value: object) -> tuple[IPNetwork, bool]:
        if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
            return value, False
        text = as_text(value, "kind.network", numbers=False)
        if "/" not in text:
            parse_ip(text)  # an unreadable address says so; a readable one lacks the prefix
            raise InvalidAnswer(msg("cidr.no_prefix", given=text))
        address, _, prefix = text.partition("/")
        parse_ip(address)  # leading zeros and the like get the address's own reason
        try:
            strict = ipaddress.ip_network(f"{address.strip()}/{prefix.strip()}", strict=False)
        except ValueError:
            raise InvalidAnswer(msg("cidr.invalid", given=text)) from None
        return strict, strict.network_address != ipaddress.ip_address(address.strip())


class MacChecker(Checker):
    """A MAC (Ethernet) address in any common notation, compared by value.

    ``aa:bb:cc:dd:ee:ff``, ``AA-BB-CC-DD-EE-FF``, Cisco's ``aabb.ccdd.eeff`` and bare
    ``aabbccddeeff`` are the same address; the canonical form is lower case with colons.
    """

    name = "mac"

    def normalize(self, value: object) -> str:
        """``aa:bb:cc:dd:ee:ff``; raises InvalidAnswer with the digit count when it is not 12."""
        text = as_text(value, "kind.mac", numbers=False)[:200]
        if not _MAC.fullmatch(text):
            # Wireshark's "Dell_12:34:56 (00:14:22:12:34:56)", arp -a's "... at aa:bb:.. [ether]": one MAC inside
            found = {m.group(0) for m in _MAC_INSIDE.finditer(text)}
            if len(found) != 1:
                raise InvalidAnswer(msg("mac.invalid", given=text))
            text = found.pop()
        digits = re.sub(r"[^0-9a-fA-F]", "", text).lower()
        return ":".join(digits[i:i + 2] for i in range(0, 12, 2))

    def prepare_expected(self, expected: object) -> str:
        try:
            return self.normalize(expected)
        except InvalidAnswer:
            raise self._config_error(f"expected {expected!r} is not a MAC address") from None

    def score(self, given: object, expected: str, max_points: float) -> CheckResult:
        if self.normalize(given) == expected:
            return correct(max_points)
        return wrong(max_points, msg("mac.wrong"))


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_MAC_INSIDE = re.compile(r"(?<![0-9A-Fa-f:.-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}"
                         r"(?![0-9A-Fa-f:.-])")
_HEX2 = "[0-9a-fA-F]{2}"
_MAC = re.compile(
    rf"{_HEX2}(?P<sep>[:\- ]){_HEX2}(?:(?P=sep){_HEX2}){{4}}"  # aa:bb:.. / aa-bb-.. / aa bb ..
    r"|[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}"  # Cisco aabb.ccdd.eeff
    r"|[0-9a-fA-F]{12}"  # bare
)
