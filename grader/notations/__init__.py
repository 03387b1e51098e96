"""Notations: how one kind of value is written by tools and examiners, and what makes two writings equal.

A text answer's ``kind`` (``text``, ``password``, ``username``, ``domain``, ``email``, ``url``, ``uri``,
``port``, ``iban``, ``phone``, ``file_type``, ``filename``, ``identifier``, ``windows_user``, ``usb_device``,
``usb_serial``, ``volume_serial``) picks a
:class:`Notation`: it reads one answer into a canonical :class:`Reading`, knows whether letter case
matters for that kind of value, and can name the kind of slip between a wrong reading and the
expected one, without saying what the expected value is. Like answer types, notations register
themselves by ``name``; :func:`get_notation` names the known ones when a key asks for another.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from grader.errors import CheckerConfigError, InvalidAnswer
from grader.i18n import Message, msg

__all__ = ["Notation", "Reading", "get_notation", "known_notations", "strip_label"]

_REGISTRY: dict[str, type[Notation]] = {}
MAX_TEXT = 4096  # longer text is no single value any tool prints

#: Words examiners and tools put before a value ("Seal W1107793", "user: gmaier", "Пароль: ...").
_LABEL_WORDS = (
    r"seal|seal\s+no|no|nr|number|num|id|case|evidence|user|user\s*name|username|login|account|password|passwd|"
    r"pass|pwd|host|hostname|host\s+name|domain|server|name|file|file\s*name|filename|label|volume|serial|mailbox|"
    r"e-?mail|address|sender|recipient|from|to|tel|phone|mobile|iban|port|service|type|file\s+type|uri|url|"
    r"пломба|номер|№|дело|пароль|логин|пользователь|учётная\s+запись|учетная\s+запись|имя|файл|метка|том|телефон|"
    r"тел|адрес|почта|ящик|отправитель|получатель|порт|тип|сервер|домен|узел"
)
_LABEL = re.compile(rf"^(?:(?:(?:{_LABEL_WORDS})\b\.?\s*){{1,3}}(?:[:#№=]\s*|\s+)|[#№]\s*)(?=\S)", re.IGNORECASE)
_QUOTES = ("\"\"", "''", "``", "«»", "“”", "‘’", "„“")


@dataclass(frozen=True)
class Reading:
    """One answer read in a notation.

    ``value`` is the canonical text compared with the key; ``note`` says how it was read when
    that is not obvious; ``asked`` is set when the answer holds more than was asked (a path where
    a file name is asked): the key decides how much that earns. ``extra`` carries parts compared
    separately (a port's protocol).
    """

    value: str
    note: Message | None = None
    asked: Message | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        return dict(self.extra).get(name)


class Notation(ABC):
    """Base of every notation: ``read`` one answer, ``fold`` case, name a ``slip``.

    Subclasses set ``name``, ``case_sensitive`` (the default for that kind of value: a key's
    ``case_sensitive`` overrides it) and ``options`` (extra key options with defaults).
    """

    name: ClassVar[str]
    case_sensitive: ClassVar[bool] = False
    options: ClassVar[dict[str, object]] = {}
    labels: ClassVar[bool | str] = True  # strip a label ("user: ...") when the bare text does not match;
    # "field": only a tool's "Field name: value" label

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        chosen = settings.get("case_sensitive")
        self.sensitive = self.default_case() if chosen is None else bool(chosen)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is not None:
            _REGISTRY[name] = cls

    def default_case(self) -> bool:
        """Whether letter case matters when the key does not say (may depend on options)."""
        return self.case_sensitive

    @abstractmethod
    def read(self, text: str) -> Reading:
        """The canonical reading of ``text`` (already NFC and trimmed); raise InvalidAnswer if unreadable."""

    def fold(self, value: str) -> str:
        """``value`` as compared: case folded unless case matters."""
        return value if self.sensitive else value.casefold()

    def readings(self, text: str) -> list[Reading]:
        """Every way to read ``text``: as written, then without a leading label or quotes."""
        text = clean(text)
        out: list[Reading] = []
        problem: InvalidAnswer | None = None
        for candidate in _variants(text, self.labels):
            try:
                out.append(self.read(candidate))
            except InvalidAnswer as exc:
                problem = problem or exc
        if not out:
            raise problem or InvalidAnswer(msg("text.wrong"))
        return out

    def loose(self, value: str, given: bool) -> str | None:
        """A looser form two readings may share and still be the same value (a deleted FAT name with
        its lost first character, a URI with its escapes decoded), or None; ``given`` is true for an
        answer (which must show the looseness itself), false for an expected value."""
        return None

    loose_note: ClassVar[str] = "answer.correct"

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        """The kind of mistake when ``given`` matches none of ``expected``; None if nothing specific."""
        if self.sensitive and any(given.value.casefold() == e.value.casefold() for e in expected):
            return msg("text.case_differs")
        return None


def clean(text: str) -> str:
    """NFC, outer whitespace trimmed, inner runs of whitespace collapsed; over-long text refused."""
    if len(text) > MAX_TEXT:
        raise InvalidAnswer(msg("answer.too_long", limit=MAX_TEXT))
    return " ".join(unicodedata.normalize("NFC", text).split())


def strip_label(text: str) -> str | None:
    """``text`` without a leading label such as ``Seal`` or ``user:``, or None if it has none."""
    match = _LABEL.match(text)
    return text[match.end():] if match else None


def unquote(text: str) -> str | None:
    """``text`` without one pair of surrounding quotes, or None if it is not quoted."""
    for pair in _QUOTES:
        if len(text) >= 2 and text[0] == pair[0] and text[-1] == pair[1]:
            return text[1:-1].strip()
    return None


#: A tool's field label before a value: exiftool's "Camera Model Name : SM-A525F", "User-Agent: ...".
_FIELD = re.compile(r"^[A-Za-zА-Яа-яЁё][\w .()/-]{0,40}?\s?:\s+(?=\S)")


def _variants(text: str, labels: bool | str) -> list[str]:
    out = [text]
    quoted = unquote(text)
    if quoted:
        out.append(quoted)
    if labels == "field":
        field = _FIELD.match(text)
        if field:
            out.append(text[field.end():])
            quoted = unquote(text[field.end():])
            if quoted:
                out.append(quoted)
    elif labels:
        for base in list(out):
            bare = strip_label(base)
            if bare:
                out.append(bare)
                quoted = unquote(bare)
                if quoted:
                    out.append(quoted)
    return list(dict.fromkeys(out))


def get_notation(name: object) -> type[Notation]:
    """The notation class named ``name``; unknown names are key errors listing the known ones."""
    _load()
    if not isinstance(name, str) or name not in _REGISTRY:
        raise CheckerConfigError(f"unknown kind {name!r} (known: {', '.join(known_notations())})")
    return _REGISTRY[name]


def known_notations() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def _load() -> None:
    from grader.notations import files, names, numbers  # noqa: F401 - importing registers them
