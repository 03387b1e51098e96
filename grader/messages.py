"""The catalogue of every text fklab shows a trainee, read from gettext ``.po`` files.

``grader/locale/ru/LC_MESSAGES/*.po`` are the source (``fklab.po``, and ``fklab-cli.po``
for the command line's errors, help and click's own words): each entry's ``msgctxt``
is the key the code uses (``hash.wrong``; ``cli.*`` for the command line's own
words), its ``msgid`` the English text and its ``msgstr`` the Russian. It is read
at run time with Babel's ``read_po`` (no compile step, so no stale ``.mo``), and
translators can use any gettext tool on it.

Reasons teach without giving the answer away: they say what kind of mistake it
looks like (time zone, algorithm, extra items), never the expected value.
Every entry has the same fields in every language (a test checks this); counts
meeting nouns use the plural spec ``{n:plural:one|few|many}`` of :mod:`grader.i18n`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from grader.user_cache import content_key, read_entry, write_entry

__all__ = ["CATALOGUE", "CLI_PREFIX", "LOCALE_DIR", "load_catalogue"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CLI_PREFIX = "cli."
_CACHE_KIND = "catalogue"


@cache
def load_catalogue(locale_dir: Path = LOCALE_DIR) -> dict[str, dict[str, str]]:
    """``{key: {"en": ..., "ru": ...}}`` from the ``.po`` of every language (English is the msgid).

    Every command needs the English texts, which are the ``.po`` files' msgids; parsing them with
    Babel (and importing it) took 40-60 ms of each start. The parsed catalogue is kept in the user
    cache under the SHA-256 of the ``.po`` files' names and bytes, so an edited file is re-read.
    """
    files = sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))  # fklab.po, fklab-cli.po, ...
    contents = [(po, po.read_bytes()) for po in files]
    key = content_key(*(part for po, data in contents for part in (po.relative_to(locale_dir).as_posix(), data)))
    cached = read_entry(_CACHE_KIND, key)
    if cached is not None:
        try:
            return json.loads(cached)
        except ValueError:
            pass  # a damaged entry: parse again and replace it
    catalogue = _parse(contents)
    write_entry(_CACHE_KIND, key, json.dumps(catalogue, ensure_ascii=False).encode("utf-8"))
    return catalogue


def _parse(contents: list[tuple[Path, bytes]]) -> dict[str, dict[str, str]]:
    import io

    from babel.messages.pofile import read_po

    catalogue: dict[str, dict[str, str]] = {}
    for po, data in contents:
        lang = po.parent.parent.name
        catalogue_po = read_po(io.BytesIO(data))
        # Iterating the Catalog itself first renders its header (dates via CLDR data, ~0.2 s):
        # read the parsed messages directly, falling back to the public iterator.
        messages = getattr(catalogue_po, "_messages", None)
        for message in (messages.values() if messages is not None else catalogue_po):
            if not message.id or not message.context or message.fuzzy:
                continue
            entry = catalogue.setdefault(message.context, {"en": str(message.id)})
            if message.string:
                entry[lang] = str(message.string)
    return catalogue


CATALOGUE: dict[str, dict[str, str]] = {k: v for k, v in load_catalogue().items() if not k.startswith(CLI_PREFIX)}
