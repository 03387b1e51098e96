"""Keyword search over a whole disk image (slack and unallocated space included) in one pass.

Every term, in every encoding, and every regex becomes one string of a single
YARA rule, so YARA's engine searches them all at once (Python's ``re`` with an
alternation is an order of magnitude slower). The media is read in bounded,
overlapping windows (:mod:`forensics_kit.yara.windows`), so memory stays flat on
a large image and a term straddling two windows is found once. Each hit names
what owns its bytes: a file, a file's slack, metadata, unallocated space.

ASCII terms use YARA's ``ascii``/``wide``/``nocase`` modifiers; other terms (Cyrillic
for instance) and other encodings (``utf-8``, ``cp1251``, ``koi8-r``...) become hex
strings with upper/lower-case alternatives for each character.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forensics_kit.disk.blockmap import BlockMap, Owner, build_block_map
from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.media_source import open_source
from forensics_kit.errors import ForensicsKitError
from forensics_kit.yara.rules import YaraRuleError, compile_rules, hex_string
from forensics_kit.yara.windows import OVERLAP, WINDOW, Window, iter_windows, scan_reader

CONTEXT = 24  # characters shown each side of a hit
# Up to this many case-sensitive ASCII patterns, bytes.find (memchr speed) beats one YARA
# pass. Ignoring case goes to YARA always: folding the data first (bytes.lower) runs at
# ~0.3 GB/s, so one term used to be three times slower than two (field review, "Scale").
FIND_MAX = 2


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a term.

    Attributes:
        term: the keyword or regex as given.
        encoding: how it was written: ``ascii``, ``utf-16le``, ``utf-8``, ``cp1251``...
        offset: absolute byte offset in the image.
        length: bytes matched.
        context: the text around the hit, non-printable characters shown as ``.``.
        owner: who owns the first byte (None when owners were not asked for).
        matched: the matched bytes decoded in the hit's encoding (undecodable bytes as ``\\xHH``).
    """

    term: str
    encoding: str
    offset: int
    length: int
    context: str
    owner: Owner | None = None
    matched: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"term": self.term, "encoding": self.encoding, "offset": self.offset, "length": self.length,
                "matched": self.matched, "context": self.context,
                "owner": self.owner.to_dict() if self.owner else None}


def _text(term: str) -> str:
    """A YARA text-string body: printable ASCII as is, everything else as ``\\xHH``."""
    out = []
    for ch in term:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}")
    return '"' + "".join(out) + '"'


def _hex(term: str, codec: str, ignore_case: bool) -> str | None:
    """A hex string with case alternatives per character; None if the codec cannot write the term."""
    try:
        positions = [
            [variant.encode(codec) for variant in ((ch, ch.lower(), ch.upper()) if ignore_case else (ch,))
             if len(variant) == 1]
            for ch in term
        ]
    except (UnicodeEncodeError, LookupError):
        return None
    return hex_string(positions)


def _strings(terms: Sequence[str], regexes: Sequence[str], ignore_case: bool,
             encodings: Sequence[str]) -> list[tuple[str, str, str]]:
    """(YARA string definition, term, encoding label) for every term x encoding and regex."""
    nocase = " nocase" if ignore_case else ""
    out: list[tuple[str, str, str]] = []
    for term in terms:
        if not term:
            raise ForensicsKitError("search: empty search term")
        for enc in encodings:
            key = enc.lower().replace("_", "-")
            if key in ("ascii", "utf-16le") and term.isascii():
                out.append((f"{_text(term)} {'ascii' if key == 'ascii' else 'wide'}{nocase}", term, key))
                continue
            codec = "utf-8" if key == "ascii" else key
            body = _hex(term, codec, ignore_case)
            if body is not None:
                out.append((body, term, codec))
    for regex in regexes:
        mods = [m for enc, m in (("ascii", "ascii"), ("utf-16le", "wide")) if enc in encodings] or ["ascii"]
        for mod in mods:
            body = "/" + regex.replace("/", "\\/") + "/"
            out.append((f"{body} {mod}{nocase}", regex, "ascii" if mod == "ascii" else "utf-16le"))
    if not out:
        raise ForensicsKitError("search: no term can be written in the chosen encodings")
    return out


def build_search_rules(terms: Sequence[str], regexes: Sequence[str] = (), *, ignore_case: bool = True,
                       encodings: Sequence[str] = ("ascii", "utf-16le")):
    """One YARA rule searching every term and regex; returns (rules, {identifier: (term, encoding)}).

    Raises:
        YaraRuleError: a regex YARA cannot compile (the message names it).
    """
    strings = _strings(terms, regexes, ignore_case, encodings)
    lines = ["rule fklab_search {", "strings:"]
    names: dict[str, tuple[str, str]] = {}
    for number, (definition, term, enc) in enumerate(strings):
        lines.append(f"$s{number} = {definition}")
        names[f"$s{number}"] = (term, enc)
    lines += ["condition:", "any of them", "}"]
    try:
        return compile_rules("\n".join(lines)), names
    except YaraRuleError as exc:
        if exc.line is not None and 3 <= exc.line < 3 + len(strings):
            term, enc = strings[exc.line - 3][1:]
            raise YaraRuleError("search", f"'{term}' ({enc}): {exc.problem}") from exc
        raise


def _context(data: bytes, start: int, length: int, encoding: str) -> str:
    """Printable text around a hit at ``data[start:start+length]``."""
    if encoding == "utf-16le":
        lo = max(0, start - 2 * CONTEXT)
        lo += (start - lo) % 2
        text = data[lo: start + length + 2 * CONTEXT].decode("utf-16le", "replace")
    else:
        codec = encoding if encoding not in ("ascii",) else "latin-1"
        text = data[max(0, start - CONTEXT): start + length + CONTEXT].decode(codec, "replace")
    return "".join(ch if ch.isprintable() and ch != "\ufffd" else "." for ch in text)


def _matched(data: bytes, start: int, length: int, encoding: str) -> str:
    """The matched bytes as text; ``ascii`` hits are read as UTF-8 (a regex may match any byte)."""
    codec = "utf-8" if encoding == "ascii" else encoding
    try:
        return data[start: start + length].decode(codec, "backslashreplace")
    except LookupError:
        return data[start: start + length].decode("latin-1")


def search_image(
    img: DiskImage | str | Path,
    terms: Sequence[str],
    *,
    regexes: Sequence[str] = (),
    ignore_case: bool = True,
    encodings: Sequence[str] = ("ascii", "utf-16le"),
    partition: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    owners: bool = True,
    window: int = WINDOW,
    overlap: int = OVERLAP,
    shadow: int | None = None,
) -> Iterator[Hit]:
    """Find every term (each in every encoding) and regex in one pass over the media.

    Args:
        img: an opened image, an image file, or a plain blob (then every hit is
            ``unpartitioned``).
        terms: literal keywords; regexes: YARA regular expressions (no slashes around).
        ignore_case: match regardless of case (Cyrillic too).
        encodings: ``ascii`` (UTF-8 for non-ASCII terms), ``utf-16le``, or any codec name.
        partition: search only the file system of this partition.
        owners: name each hit's owner (builds the block map at the first hit).
        shadow: search volume shadow copy N of the NTFS volume instead (the volume as it
            was): offsets are where those bytes lay in the image, owners are the copy's files.

    Hits come in offset order; overlapping occurrences of a keyword are all reported.
    A regex gives its leftmost-longest match per place: YARA reports a match at every
    offset (``d.lisin@x.ru``, then ``.lisin@x.ru``, ``lisin@x.ru``...), so a hit that lies
    inside an earlier hit of the same regex and encoding is dropped.
    """
    literals = _literal_patterns(terms, regexes, ignore_case, encodings)
    # The rules are compiled even for the bytes.find path: a term no encoding can write is an error either way.
    rules, names = build_search_rules(terms, regexes, ignore_case=ignore_case, encodings=encodings)
    with open_source(img) as source:
        start, end, read = 0, source.size, source.read
        if (partition is not None or shadow is not None) and source.image is None:
            raise ForensicsKitError(f"{source.path}: no partitions: the file holds no volume or file system")
        if shadow is not None:
            store = source.image._source(partition, shadow)  # noqa: SLF001 - same package
            start, read = store.info.offset, store.read_at
            end = start + store.store.get_size()
        elif partition is not None:
            info = source.image._select(partition).info  # noqa: SLF001 - same package
            start, end = info.offset, min(source.size, info.offset + info.block_size * info.block_count)
        block_map: BlockMap | None = None
        if literals is not None:
            windows = ((win, _find_literals(win, literals)) for win in iter_windows(
                read, start, end, window=window, overlap=overlap, progress=progress, step="searching"))
        else:
            windows = ((win, [(s.offset, s.length, *names[s.identifier]) for hit in rule_hits for s in hit.strings])
                       for win, rule_hits in scan_reader(read, start, end, rules, window=window,
                                                         overlap=overlap, progress=progress, step="searching"))
        regex_ends: dict[tuple[str, str], int] = {}  # (regex, encoding) -> end of its last hit
        regex_set = set(regexes)
        for win, found in windows:
            found.sort(key=lambda f: (f[0], -f[1], f[2], f[3]))
            for offset, length, term, enc in found:
                if term in regex_set:
                    key = (term, enc)
                    if offset + length <= regex_ends.get(key, -1):
                        continue  # a suffix of a longer match of the same regex
                    regex_ends[key] = offset + length
                owner = None
                if owners:
                    if source.image is None:
                        owner = Owner("unpartitioned")
                    else:
                        if block_map is None:
                            block_map = (build_block_map(source.image) if shadow is None
                                         else build_block_map(source.image, partition, shadow=shadow))
                        owner = block_map.owner(offset)
                context = _context(win.data, offset - win.offset, length, enc)
                matched = _matched(win.data, offset - win.offset, length, enc)
                yield Hit(term, enc, offset, length, context, owner, matched)


def _literal_patterns(terms: Sequence[str], regexes: Sequence[str], ignore_case: bool,
                      encodings: Sequence[str]) -> list[tuple[bytes, str, str, bool]] | None:
    """(pattern, term, encoding, fold case) when a few case-sensitive ASCII literals are searched, else None."""
    if (ignore_case or regexes or any(not t.isascii() for t in terms)
            or not set(encodings) <= {"ascii", "utf-16le"}):
        return None
    patterns = [((t.lower() if ignore_case else t).encode("utf-16le" if e == "utf-16le" else "ascii"), t, e,
                 ignore_case) for t in terms for e in encodings]
    return patterns if len(patterns) <= FIND_MAX else None


def _find_literals(win: Window, patterns: list[tuple[bytes, str, str, bool]]) -> list[tuple[int, int, str, str]]:
    """Every (overlapping) occurrence starting in the window's own part; ASCII case folded with bytes.lower()."""
    folded = win.data.lower() if any(p[3] for p in patterns) else win.data
    found = []
    for pattern, term, enc, fold in patterns:
        data = folded if fold else win.data
        pos = data.find(pattern)
        while 0 <= pos < win.keep:
            found.append((win.offset + pos, len(pattern), term, enc))
            pos = data.find(pattern, pos + 1)
    return found
