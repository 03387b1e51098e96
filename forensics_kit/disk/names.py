"""Safe local names for files exported from evidence, whatever names the evidence holds.

A file system under investigation can hold any name: ``..``, ``/`` or ``\\``
inside a name (crafted FAT or ext entries), control characters and newlines,
Windows device names (``CON``, ``aux.txt``) that Windows refuses to create,
names longer than 255 bytes once encoded, names differing only in case that
collide on a case-insensitive disk. :func:`safe_name` maps one name to a name
that is a single harmless path component on Linux, macOS and Windows;
:class:`NameAllocator` makes the names in one output folder unique
(``name (2).ext``), ignoring case, so two evidence files never share a target.
The mapping is deterministic and idempotent: ``safe_name(safe_name(x)) == safe_name(x)``.
"""

from __future__ import annotations

import re

MAX_NAME_BYTES = 255  # NAME_MAX on Linux ext4/XFS and the NTFS/exFAT limit in UTF-16 units
MAX_EXT_BYTES = 32  # a longer "extension" is not one: the name is cut as a whole
REPLACEMENT = "_"

# Control characters, path separators, characters Windows forbids in names, and
# lone surrogates (undecodable bytes) all become "_".
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*\ud800-\udfff]')
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in "123456789¹²³"}
    | {f"LPT{i}" for i in "123456789¹²³"}
)


def is_device_name(name: str) -> bool:
    """True when Windows would treat the name as a device (``CON``, ``aux.txt``, ``LPT1 .log``)."""
    return name.split(".", 1)[0].rstrip(" ").upper() in _DEVICES


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def truncate_utf8(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that is at most ``limit`` bytes in UTF-8 (whole characters)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def split_extension(name: str) -> tuple[str, str]:
    """(stem, extension with its dot); a leading dot (``.bashrc``) is not an extension."""
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]


def fit_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """Cut a name to ``limit`` UTF-8 bytes on a character boundary, keeping a short extension."""
    if _utf8_len(name) <= limit:
        return name
    stem, ext = split_extension(name)
    if ext and _utf8_len(ext) <= MAX_EXT_BYTES:
        return truncate_utf8(stem, limit - _utf8_len(ext)) + ext
    return truncate_utf8(name, limit)


def safe_name(name: str) -> str:
    """Map one name from the evidence to one safe local path component.

    Rules, in order: unsafe characters (control, NUL, ``/``, ``\\``, ``<>:"|?*``,
    lone surrogates) become ``_``; a Windows device name gets a ``_`` prefix
    (``CON`` -> ``_CON``, ``aux.txt`` -> ``_aux.txt``); the name is cut to 255
    UTF-8 bytes keeping its extension; trailing dots and spaces are dropped
    (Windows drops them silently); a name left empty or made only of dots and
    spaces becomes underscores (``..`` -> ``__``), so it can never mean a parent
    or current folder.
    """
    text = _UNSAFE.sub(REPLACEMENT, name)
    if not text.strip(". "):
        return REPLACEMENT * max(1, min(len(text), MAX_NAME_BYTES))
    if is_device_name(text):
        text = REPLACEMENT + text
    text = fit_name(text).rstrip(". ")
    if not text:  # only possible for names of dots and spaces, handled above; kept as a guard
        return REPLACEMENT
    return text


def safe_parts(path: str) -> list[str]:
    """The safe local components of a ``/``-separated path in the evidence (empty parts dropped)."""
    return [safe_name(part) for part in path.split("/") if part]


def numbered(name: str, number: int) -> str:
    """``name (N).ext`` for a duplicate, still within 255 bytes and still safe."""
    stem, ext = split_extension(name)
    if _utf8_len(ext) > MAX_EXT_BYTES:
        stem, ext = name, ""
    suffix = f" ({number})"
    stem = truncate_utf8(stem, MAX_NAME_BYTES - _utf8_len(suffix) - _utf8_len(ext))
    return stem + suffix + ext


class NameAllocator:
    """Unique safe names per output folder, compared regardless of case.

    Two evidence files named ``Report.txt`` and ``REPORT.TXT`` (an ext file system,
    or a crafted FAT) would overwrite each other on Windows or macOS; the second
    becomes ``REPORT (2).TXT``. Allocation is deterministic: the same sequence of
    requests gives the same names.
    """

    def __init__(self) -> None:
        self._used: dict[tuple[str, ...], set[str]] = {}

    def reserve(self, folder: tuple[str, ...], name: str) -> None:
        """Mark a local name as taken (e.g. ``manifest.csv`` in the output root)."""
        self._used.setdefault(folder, set()).add(name.casefold())

    def is_free(self, folder: tuple[str, ...], name: str) -> bool:
        return name.casefold() not in self._used.get(folder, set())

    def allocate(self, folder: tuple[str, ...], wanted: str) -> str:
        """A free safe name in ``folder`` (a tuple of local components) for ``wanted``, now taken."""
        base = safe_name(wanted)
        candidate = base
        number = 1
        while not self.is_free(folder, candidate):
            number += 1
            candidate = numbered(base, number)
        self.reserve(folder, candidate)
        return candidate
