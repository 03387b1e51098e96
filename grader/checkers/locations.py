"""Where in the evidence: byte offsets (``offset``) and finding locations (``location``).

An offset is written in bytes or sectors, decimal or hex (``0x100000``,
``2048 sectors``, ``1048576 bytes``); a location names what kind of place it is
(an inode or MFT entry, a byte offset, a frame number). The reason always says
how the answer was understood, so a trainee who typed sectors where bytes were
meant sees it. Expected values come from each variant's truth, so a location
copied from another trainee's evidence is simply wrong.
"""

from __future__ import annotations

import re

from grader.checkers.base import Checker, CheckResult, as_text, correct, wrong
from grader.checkers.numeric import _parse_int
from grader.errors import InvalidAnswer
from grader.i18n import msg

__all__ = ["LocationChecker", "OffsetChecker"]

_UNITS = {
    "b": "bytes", "byte": "bytes", "bytes": "bytes", "байт": "bytes", "байта": "bytes",
    "s": "sectors", "sector": "sectors", "sectors": "sectors", "сектор": "sectors",
    "сектора": "sectors", "секторов": "sectors", "секторы": "sectors",
}
_NUMBER_UNIT = re.compile(r"(?P<num>[+-]?(?:0[xX][0-9a-fA-F_]+|\d[\d  ,_']*))\s*(?P<unit>[^\d\s].*)?")


class OffsetChecker(Checker):
    """A position in an image or file; ``expected`` is a whole number in ``unit``.

    Options:
        unit (``bytes`` or ``sectors``, default bytes): the unit of ``expected`` and of a bare number.
        sector_size (integer, default 512): bytes per sector.
    """

    name = "offset"
    options = {"unit": "bytes", "sector_size": 512}

    def _check_options(self) -> None:
        if self.settings["unit"] not in ("bytes", "sectors"):
            raise self._config_error(f"option 'unit' must be bytes or sectors, not {self.settings['unit']!r}")
        size = self.settings["sector_size"]
        if not isinstance(size, int) or size <= 0:
            raise self._config_error(f"option 'sector_size' must be a positive whole number, not {size!r}")

    def normalize(self, value: object) -> str:
        """Canonical text ``N bytes`` (idempotent: it reads back as the same offset)."""
        return f"{self._read(value)[0]} bytes"

    def prepare_expected(self, expected: object) -> int:
        try:
            return self._read(expected)[0]
        except InvalidAnswer:
            raise self._config_error(f"expected {expected!r} is not an offset") from None

    def score(self, given: object, expected: int, max_points: float) -> CheckResult:
        offset, unit, number = self._read(given)
        read = msg("offset.read", number=number, unit=msg(f"unit.{unit}"), offset=offset)
        if offset == expected:
            return correct(max_points, msg("joined", parts=[read, msg("answer.correct")]))
        size = int(self.settings["sector_size"])  # type: ignore[call-overload]
        if number == expected or number * size == expected:
            why = msg("offset.unit_slip")
        else:
            why = msg("offset.wrong")
        return wrong(max_points, msg("joined", parts=[read, why]))

    def _read(self, value: object) -> tuple[int, str, int]:
        """(offset in bytes, unit understood, the number as written)."""
        unit = str(self.settings["unit"])
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = as_text(value, "kind.offset", numbers=False)
            match = _NUMBER_UNIT.fullmatch(text)
            parsed = _parse_int(match.group("num").strip()) if match else None
            if parsed is None:
                raise InvalidAnswer(msg("offset.invalid", given=text))
            number = parsed
            if match and match.group("unit"):
                word = match.group("unit").strip().casefold().rstrip(".")
                if word not in _UNITS:
                    raise InvalidAnswer(msg("offset.invalid", given=text))
                unit = _UNITS[word]
        if number < 0:
            raise InvalidAnswer(msg("offset.invalid", given=str(value)))
        size = int(self.settings["sector_size"])  # type: ignore[call-overload]
        return (number * size if unit == "sectors" else number), unit, number


#: Kinds of location and the words trainees and tools use for them.
_KINDS = {
    "inode": "inode", "inode number": "inode", "inum": "inode", "иноду": "inode", "инод": "inode",
    "mft": "mft", "mft entry": "mft", "mft record": "mft", "entry": "mft", "record": "mft",
    "offset": "offset", "byte": "offset", "byte offset": "offset", "смещение": "offset",
    "frame": "frame", "packet": "frame", "кадр": "frame", "пакет": "frame", "frame number": "frame",
    "no": "frame", "no.": "frame", "packet number": "frame", "номер кадра": "frame", "номер пакета": "frame",
    "i-node": "inode", "ino": "inode", "inode no": "inode", "inode no.": "inode", "metadata address": "inode",
    "meta address": "inode", "mft entry number": "mft", "mft record number": "mft", "file record": "mft",
    "file record number": "mft", "entry number": "mft", "record number": "mft", "mft no": "mft",
    "запись mft": "mft", "запись": "mft", "индексный дескриптор": "inode", "inode #": "inode",
    "смещение байт": "offset", "at offset": "offset", "file offset": "offset", "image offset": "offset",
}
_LOCATION = re.compile(
    r"(?P<kind>[^\d#:]*?|#)\s*[:#№=]?\s*(?P<num>0[xX][0-9a-fA-F]+|\d+)(?P<tsk>-\d+(?:-\d+)?)?",
)


_KIND_AFTER = re.compile(r"(?P<num>0[xX][0-9a-fA-F]+|\d+)(?P<tsk>-\d+(?:-\d+)?)?\s*[(\[,:–—-]?\s*"
                         r"(?P<kind>[^\d()\[\]]+?)\s*[)\]]?")


class LocationChecker(Checker):
    """Where a finding came from: ``inode``, ``mft`` entry, byte ``offset`` or ``frame`` number.

    ``expected`` is a whole number (usually ``{truth: ...}``); the option ``kind``
    says what it counts. Answers may name the kind (``inode 12``, ``MFT entry 35``,
    ``frame 57``, ``No. 57``, ``offset 0x1000``) or give the bare number or ``#57`` (read as
    the key's kind); TSK's ``35-128-1`` is read as MFT entry / inode 35.

    Options:
        kind (text, default ``inode``): inode, mft, offset or frame.
    """

    name = "location"
    options = {"kind": "inode"}

    def _check_options(self) -> None:
        if self.settings["kind"] not in ("inode", "mft", "offset", "frame"):
            raise self._config_error(f"option 'kind' must be inode, mft, offset or frame, "
                                     f"not {self.settings['kind']!r}")

    def normalize(self, value: object) -> str:
        """Canonical ``kind:number`` (e.g. ``frame:57``); reads back as itself."""
        kind, number = self._read(value)
        return f"{kind}:{number}"

    def prepare_expected(self, expected: object) -> int:
        try:
            kind, number = self._read(expected)
        except InvalidAnswer:
            raise self._config_error(f"expected {expected!r} is not a location") from None
        if not _same_kind(kind, str(self.settings["kind"])):
            raise self._config_error(f"expected {expected!r} is not a {self.settings['kind']} location")
        return number

    def score(self, given: object, expected: int, max_points: float) -> CheckResult:
        kind, number = self._read(given)
        read = msg("location.read", kind=msg(f"location.{kind}"), number=number)
        want = str(self.settings["kind"])
        if not _same_kind(kind, want):
            return wrong(max_points, msg("joined", parts=[read, msg("location.wrong_kind",
                                                                      want=msg(f"location.{want}"))]))
        if number == expected:
            return correct(max_points, msg("joined", parts=[read, msg("answer.correct")]))
        return wrong(max_points, msg("joined", parts=[read, msg("location.wrong")]))

    def _read(self, value: object) -> tuple[str, int]:
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise InvalidAnswer(msg("location.invalid", given=str(value)))
            return str(self.settings["kind"]), value
        text = as_text(value, "kind.location", numbers=False)[:200]
        match = _LOCATION.fullmatch(text)
        if not match:
            # the kind after the number: "26 (inode)", "57 (frame)", "26 — MFT entry"
            after = _KIND_AFTER.fullmatch(text)
            if not after:
                raise InvalidAnswer(msg("location.invalid", given=text))
            text = f"{after.group('kind')} {after.group('num')}{after.group('tsk') or ''}"
            match = _LOCATION.fullmatch(text)
            if not match:
                raise InvalidAnswer(msg("location.invalid", given=text))
        word = re.sub(r"\s+", " ", match.group("kind").strip().casefold().rstrip(":"))
        word = re.sub(r"^(?:in |at |в )", "", word)
        word = re.sub(r"\s*(?:#|№|no\.?)$", "", word) if word not in _KINDS else word
        if word in ("", "#", "№"):  # "#26": TSK and EnCase number entries so, Wireshark frames: the key's kind
            kind = str(self.settings["kind"])
        elif word in _KINDS:
            kind = _KINDS[word]
        elif word in ("inode", "mft", "offset", "frame"):
            kind = word
        else:
            raise InvalidAnswer(msg("location.invalid", given=text))
        if match.group("tsk") and kind not in ("inode", "mft"):
            raise InvalidAnswer(msg("location.invalid", given=text))
        num = match.group("num")
        return kind, int(num, 16) if num[:2].lower() == "0x" else int(num, 10)


def _same_kind(kind: str, want: str) -> bool:
    """An NTFS MFT entry is what TSK calls its inode: the two names are one kind."""
    return kind == want or {kind, want} == {"inode", "mft"}
