"""Russian texts use procedural vocabulary and read as Russian: the field review's phrases stay fixed.

"Улика" is not the procedural term: the law and expert reports say "объект исследования"
(what an examiner examines) and "вещественное доказательство" (what is entered into a case).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.messages import load_catalogue

REPO = Path(__file__).resolve().parents[1]
BANNED = {
    r"(?i)\bулик": "улика: write 'объект исследования' or 'вещественное доказательство'",
    r"по одному дампу": "means 'from one dump': write 'только по дампу'",
    r"С какого имени узла": "ungrammatical",
    r"на несколько тысяч евро": "reads as a tender worth a few thousand euros",
    r"присвоен чужим MAC": "wrong in meaning",
    r"счёт-фактур": "an invoice is 'счёт', not the VAT document 'счёт-фактура'",
    r"вернёт ли что-нибудь его": "calque",
    r"пароли к SSH сервера": "ungrammatical",
    r"подозревается как": "calque",
    r"Свяжите ноутбук": "calque",
    r"\b\d+ из \d+ пар\b": "plural after 'из N'",
    r"= байт": "redundant",
    r"^Распр\.$|^Термин$|^Получатель$|^Владелец$": "misleading column header",
    r"\bmin\]|\bpt\b": "English unit in Russian text",
    r"hints: вручную": "broken phrase",
}


def _russian_texts() -> list[tuple[str, str]]:
    texts = [(str(p.relative_to(REPO)), p.read_text("utf-8")) for p in sorted(REPO.glob("labs/**/*.ru.md"))]
    for lab in sorted(REPO.glob("labs/*/lab.yaml")):
        text = lab.read_text("utf-8")
        texts += [(str(lab.relative_to(REPO)), m) for m in re.findall(r"ru:\s*(.+(?:\n\s{4,}\S.*)*)", text)]
    texts += [(f"catalogue {key}", entry["ru"]) for key, entry in load_catalogue().items() if "ru" in entry]
    return texts


@pytest.mark.parametrize("pattern", sorted(BANNED))
def test_no_russian_text_uses_a_phrase_the_review_flagged(pattern):
    found = [where for where, text in _russian_texts() if re.search(pattern, text, re.MULTILINE)]
    assert found == [], BANNED[pattern]


def test_the_texts_checked_include_labs_briefs_and_the_catalogue():
    wheres = {where.split()[0].split("/")[0] for where, _ in _russian_texts()}
    assert {"labs", "catalogue"} <= wheres and len(_russian_texts()) > 300
