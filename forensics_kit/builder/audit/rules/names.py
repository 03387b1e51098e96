"""People's names agree in gender: no "Daniel Ivanova", no "Иванов Галина Петровна".

Slavic surnames and patronymics carry the person's gender (Ivanov / Ivanova,
Петрович / Петровна). Evidence of a Russian-speaking case that mixes them reads
as invented and teaches the trainee nothing about how names are written. The
rule reads every file, archive member and flow as text in UTF-8, CP1251 and
UTF-16LE.
"""

from __future__ import annotations

import re

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.wordlists import FEMALE_FIRST_NAMES, FIRST_NAMES

_MALE = sorted(set(FIRST_NAMES) - FEMALE_FIRST_NAMES)
_LATIN = (
    (re.compile(rf"\b(?:{'|'.join(sorted(FEMALE_FIRST_NAMES))}) [A-Z][a-z]+(?:ov|ev|in)\b"), "female", "male"),
    (re.compile(rf"\b(?:{'|'.join(_MALE)}) [A-Z][a-z]+(?:ova|eva|ina)\b"), "male", "female"),
)
_CYRILLIC = (
    (re.compile(r"\b[А-ЯЁ][а-яё]+(?:ов|ев|ёв|ин) [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+(?:вна|чна)\b"), "male", "female"),
    (re.compile(r"\b[А-ЯЁ][а-яё]+(?:ова|ева|ёва|ина) [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+(?:вич|ьич|ич)\b"), "female", "male"),
)


def _texts(data: bytes) -> list[str]:
    out = []
    for codec in ("utf-8", "cp1251", "utf-16-le"):
        try:
            out.append(data.decode(codec))
        except UnicodeDecodeError:
            continue
    return out


class NameGender(AuditRule):
    """A full name's surname (and patronymic) have the gender of its given name."""

    name = "name-gender"
    title = {"en": "people's names agree in gender (surname, given name, patronymic)",
             "ru": "имена людей согласованы по роду (фамилия, имя, отчество)"}
    messages = {"mixed": {"en": "{name!r} mixes a {one} form with a {other} one",
                          "ru": "{name!r} смешивает {one_ru} и {other_ru} формы"}}
    _RU = {"male": "мужскую", "female": "женскую"}

    def check(self, case):
        seen = set()
        for blob in case.blobs():
            if len(blob.data) > 2_000_000:
                continue
            for text in _texts(blob.data):
                for pattern, one, other in (*_LATIN, *_CYRILLIC):
                    for match in pattern.finditer(text):
                        key = (blob.evidence, blob.where, match.group())
                        if key in seen:
                            continue
                        seen.add(key)
                        yield self.finding(case, blob.evidence, blob.where, "mixed", name=match.group(), one=one,
                                           other=other, one_ru=self._RU[one], other_ru=self._RU[other])
