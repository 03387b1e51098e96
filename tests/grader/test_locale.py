"""The gettext catalogue: every message translated into Russian with the same placeholders, all keys used exist."""

from __future__ import annotations

import re
import string
from pathlib import Path

from babel.messages.pofile import read_po

import grader
from forensics_kit.cli import text as cli_text
from grader.messages import CATALOGUE, LOCALE_DIR

PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "fklab.po"
ROOT = Path(grader.__file__).resolve().parents[1]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_po_entry_has_a_russian_translation_with_the_same_placeholders():
    with open(PO, "rb") as stream:
        catalog = read_po(stream)
    entries = [m for m in catalog._messages.values() if m.id]
    assert len(entries) > 100
    for message in entries:
        assert message.context, message.id
        assert message.string and not message.fuzzy, message.context
        assert _fields(message.id) == _fields(message.string), message.context
        if message.context not in ("joined",) and not message.context.startswith("cli.id"):
            assert re.search("[а-яё]", message.string, re.IGNORECASE) or message.string == message.id, message.context


def test_every_key_the_code_uses_is_in_the_catalogue():
    sources = [*(ROOT / "grader").rglob("*.py"), *(ROOT / "forensics_kit" / "cli").glob("*.py")]
    used_msg, used_tr = set(), set()
    for path in sources:
        code = path.read_text("utf-8")
        used_msg |= set(re.findall(r"""\bmsg\(\s*["']([\w.]+)["']""", code))
        used_msg |= set(re.findall(r"""(?<![.\w])render\(\s*["']([\w.]+)["']""", code))
        used_tr |= set(re.findall(r"""\btr\(\s*["']([\w.]+)["']""", code))
    assert used_msg and not used_msg - set(CATALOGUE), used_msg - set(CATALOGUE)
    assert used_tr and not used_tr - set(cli_text.CATALOGUE), used_tr - set(cli_text.CATALOGUE)
