"""Parameter types: how each recipe parameter is drawn from the build's seeded generator.

Parameters are drawn in the order written from one ``random.Random(seed)``, so the
same seed gives the same values and each trainee's variant seed gives its own.
Every value is JSON-friendly (times are ISO strings) because it goes into truth.json.
"""

from __future__ import annotations

import ipaddress
import random
import re
from abc import abstractmethod
from datetime import timedelta
from typing import Any, ClassVar

from forensics_kit.builder import wordlists
from forensics_kit.builder.registry import Registered
from forensics_kit.timefmt import iso_utc, parse_iso

_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$")


def parse_duration(text: str | int | float) -> float:
    """Seconds in a duration such as ``90``, ``"3d"``, ``"1h30m"``, ``"2.5s"``."""
    if isinstance(text, int | float):
        return float(text)
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        raise ValueError(f"bad duration {text!r} (use e.g. 90s, 15m, 2h, 3d, 1h30m)")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds).total_seconds()


class ParameterType(Registered):
    """Contract: ``check`` a spec once at load, ``draw`` a value per build.

    Subclasses set ``name`` (the ``type:`` written in the recipe); the keys each
    type accepts are declared in ``recipe.schema.json``.
    """

    kind: ClassVar[str] = "parameter type"
    registry: ClassVar[dict[str, type[Registered]]] = {}

    def check(self, spec: dict[str, Any], window: tuple[float, float] | None) -> str | None:
        """Return a one-line problem with the spec, or None when it can be drawn."""
        return None

    @abstractmethod
    def draw(
        self,
        spec: dict[str, Any],
        rng: random.Random,
        drawn: dict[str, Any],
        window: tuple[float, float] | None,
    ) -> Any:
        """Draw one value; ``drawn`` holds the parameters drawn before this one."""


class ChoiceParameter(ParameterType):
    """One of a list of values."""

    name = "choice"

    def draw(self, spec, rng, drawn, window):
        return rng.choice(spec["values"])


class IntegerParameter(ParameterType):
    """A whole number between ``min`` and ``max`` inclusive."""

    name = "integer"

    def check(self, spec, window):
        return "min is greater than max" if spec["min"] > spec["max"] else None

    def draw(self, spec, rng, drawn, window):
        return rng.randint(spec["min"], spec["max"])


class PatternParameter(ParameterType):
    """Text from a pattern: ``#`` a digit, ``A`` an upper-case letter, anything else as is."""

    name = "pattern"

    def draw(self, spec, rng, drawn, window):
        out = []
        for char in spec["pattern"]:
            if char == "#":
                out.append(rng.choice("0123456789"))
            elif char == "A":
                out.append(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            else:
                out.append(char)
        return "".join(out)


class TimeParameter(ParameterType):
    """A whole-second UTC time, ISO formatted.

    Either between ``start`` and ``end``, or ``after`` another time parameter by at
    most ``within`` (cut at the window end, so every variant stays in the window).
    """

    name = "time"

    def check(self, spec, window):
        if "after" in spec:
            if "within" not in spec or "start" in spec or "end" in spec:
                return "a time 'after' another needs 'within' and no 'start'/'end'"
            try:
                parse_duration(spec["within"])
            except ValueError as exc:
                return str(exc)
            return None
        if "start" not in spec or "end" not in spec:
            return "a time needs 'start' and 'end' (or 'after' and 'within')"
        try:
            start, end = (parse_iso(spec[k]).timestamp() for k in ("start", "end"))
        except ValueError as exc:
            return f"bad time: {exc}"
        if start > end:
            return "start is after end"
        if window and (start < window[0] or end > window[1]):
            return "start..end is not inside the case window"
        return None

    def draw(self, spec, rng, drawn, window):
        if "after" in spec:
            start = parse_iso(drawn[spec["after"]]).timestamp()
            end = start + parse_duration(spec["within"])
            if window:
                end = max(start, min(end, window[1]))
        else:
            start, end = (parse_iso(spec[k]).timestamp() for k in ("start", "end"))
        return iso_utc(rng.randint(int(start), int(end)))


class IbanParameter(ParameterType):
    """A valid IBAN of ``country`` (default DE): seeded account digits, mod-97 check digits, print format.

    ``bank`` (optional) fixes the first digits of the account part, e.g. a real
    bank code; the rest are drawn. Written in groups of four (``DE89 3704 0044 ...``).
    """

    name = "iban"

    def check(self, spec, window):
        from forensics_kit.builder.world.bank_numbers import IBAN_LENGTHS

        country = spec.get("country", "DE")
        if country not in IBAN_LENGTHS:
            return f"unknown IBAN country {country!r} (known: {', '.join(sorted(IBAN_LENGTHS))})"
        bank = str(spec.get("bank", ""))
        if not bank.isdigit() and bank or len(bank) > IBAN_LENGTHS[country] - 4:
            return f"bank {bank!r} must be digits, at most {IBAN_LENGTHS[country] - 4} of them"
        return None

    def draw(self, spec, rng, drawn, window):
        from forensics_kit.builder.world.bank_numbers import IBAN_LENGTHS, iban_check_digits, print_format

        country = spec.get("country", "DE")
        bank = str(spec.get("bank", ""))
        bban = bank + "".join(rng.choice("0123456789") for _ in range(IBAN_LENGTHS[country] - 4 - len(bank)))
        return print_format(country + iban_check_digits(country, bban) + bban)


class CardParameter(ParameterType):
    """A payment card number that passes the Luhn check: ``prefix`` (default 4), 16 digits, in groups of four."""

    name = "card"

    def check(self, spec, window):
        prefix = str(spec.get("prefix", "4"))
        return None if prefix.isdigit() and len(prefix) <= 8 else f"prefix {prefix!r} must be 1-8 digits"

    def draw(self, spec, rng, drawn, window):
        from forensics_kit.builder.world.bank_numbers import luhn_digit, print_format

        prefix = str(spec.get("prefix", "4"))
        body = prefix + "".join(rng.choice("0123456789") for _ in range(15 - len(prefix)))
        return print_format(body + luhn_digit(body))


class Ipv4Parameter(ParameterType):
    """An IPv4 address inside ``network``, host part between ``min_host`` and ``max_host``."""

    name = "ipv4"

    def check(self, spec, window):
        try:
            net = ipaddress.IPv4Network(spec["network"], strict=True)
        except ValueError as exc:
            return f"bad network: {exc}"
        low, high = spec.get("min_host", 1), spec.get("max_host", net.num_addresses - 2)
        if not 0 <= low <= high < net.num_addresses:
            return f"min_host..max_host must lie in 0..{net.num_addresses - 1}"
        return None

    def draw(self, spec, rng, drawn, window):
        net = ipaddress.IPv4Network(spec["network"])
        low, high = spec.get("min_host", 1), spec.get("max_host", net.num_addresses - 2)
        return str(net.network_address + rng.randint(low, high))


class MacParameter(ParameterType):
    """A MAC address, lower case, with a fixed vendor prefix ``oui`` (default a local one)."""

    name = "mac"

    def draw(self, spec, rng, drawn, window):
        oui = spec.get("oui", "02:00:00").lower()
        return oui + "".join(f":{rng.randrange(256):02x}" for _ in range(3))


class HexParameter(ParameterType):
    """Upper-case hex digits, ``digits`` of them (default 8), in groups of ``group`` joined by ``-``.

    ``{type: hex, digits: 8, group: 4}`` draws a FAT/exFAT volume serial as Windows and
    ``fsstat`` print it (``3A7C-91F0``); ``{type: hex, digits: 24}`` a USB device serial.
    The first digit is never 0, so the value keeps its width wherever it is read as a number.
    """

    name = "hex"

    def check(self, spec, window):
        digits, group = spec.get("digits", 8), spec.get("group", 0)
        return "group must divide digits" if group and digits % group else None

    def draw(self, spec, rng, drawn, window):
        digits, group = spec.get("digits", 8), spec.get("group", 0)
        text = rng.choice("123456789ABCDEF") + "".join(rng.choice("0123456789ABCDEF") for _ in range(digits - 1))
        if group:
            text = "-".join(text[i:i + group] for i in range(0, digits, group))
        return text


class WordParameter(ParameterType):
    """A plain lower-case word from the built-in list."""

    name = "word"

    def draw(self, spec, rng, drawn, window):
        return rng.choice(wordlists.WORDS)


class NameParameter(ParameterType):
    """A person's full name whose surname agrees with the given name's gender.

    ``Elena Richter``, ``Olga Ivanova`` (never "Daniel Ivanova"); with ``lang: ru`` a Russian
    name as Russian lists write it, surname, name, patronymic (``Иванова Галина Петровна``);
    ``gender`` (female, male) fixes it, else it is drawn.
    """

    name = "name"

    def draw(self, spec, rng, drawn, window):
        if spec.get("lang") == "ru":
            gender = spec.get("gender") or rng.choice(("female", "male"))
            surname = rng.choice(wordlists.RU_SURNAMES)
            first = rng.choice(wordlists.RU_FIRST[gender])
            patronymic = rng.choice(wordlists.RU_PATRONYMICS[gender])
            return f"{surname}{'а' if gender == 'female' else ''} {first} {patronymic}"
        names = wordlists.FIRST_NAMES
        if spec.get("gender"):
            names = tuple(n for n in names if (n in wordlists.FEMALE_FIRST_NAMES) == (spec["gender"] == "female"))
        first = rng.choice(names)
        surname = rng.choice(wordlists.LAST_NAMES)
        if first in wordlists.FEMALE_FIRST_NAMES and surname.endswith("ov"):
            surname += "a"
        return f"{first} {surname}"


class PasswordParameter(ParameterType):
    """A weak password from the built-in list (for credential-spotting exercises)."""

    name = "password"

    def draw(self, spec, rng, drawn, window):
        return rng.choice(wordlists.PASSWORDS)


def draw_parameters(
    specs: dict[str, dict[str, Any]], seed: int, window: tuple[float, float] | None
) -> dict[str, Any]:
    """Draw every parameter in the order written from ``random.Random(seed)``."""
    rng = random.Random(seed)
    drawn: dict[str, Any] = {}
    for key, spec in specs.items():
        drawn[key] = ParameterType.lookup(spec["type"])().draw(spec, rng, drawn, window)
    return drawn
