"""A question that asks for a time a source keeps in local time states the zone to use.

FAT keeps local time with no zone, and ``ewfinfo`` prints the acquisition time
in the examiner machine's zone with no label: a question asking for such a time
"in UTC" without saying which zone the clock ran in has two right answers, and
the trainee who converts from the suspect's real zone is marked wrong.
"""

from __future__ import annotations

import re

from forensics_kit.builder.audit.rule import AuditRule

_TIME_FIELDS = ("mtime", "atime", "ctime", "crtime")
_ZONE = {
    "en": re.compile(r"time zone|local time|clock|UTC ?[+\-\u2212]\d|\bMSK\b", re.IGNORECASE),
    "ru": re.compile(r"час\w* пояс|местно\w* врем|часы|UTC ?[+\-\u2212]\d|\bМСК\b", re.IGNORECASE),
}


def _truth_ref(answer) -> str | None:
    expected = answer.get("expected") if isinstance(answer, dict) else None
    return expected.get("truth") if isinstance(expected, dict) else None


def local_time_source(truth: dict, ref: str) -> str | None:
    """What keeps the time ``ref`` points at in local time (``FAT16``, ``ewfinfo``), or None."""
    parts = ref.split(".")
    if len(parts) == 4 and parts[0] == "artefacts" and parts[2] == "ewf" and parts[3] == "acquired":
        return "ewfinfo"
    if len(parts) != 3 or parts[0] != "items" or parts[2] not in _TIME_FIELDS:
        return None
    item = truth.get("items", {}).get(parts[1])
    if not item:
        return None
    artefact = truth["artefacts"].get(item.get("evidence"), {})
    fs_type = (artefact.get("filesystem") or {}).get("type")
    if item.get("volume"):
        fs_type = next((p.get("filesystem") for p in artefact.get("partitions", []) if p["id"] == item["volume"]),
                       fs_type)
    return fs_type if fs_type and str(fs_type).upper().startswith("FAT") else None


class QuestionStatesZone(AuditRule):
    """A question whose answer is a FAT time or an ewfinfo time says which zone the clock kept."""

    name = "question-zone"
    title = {"en": "questions about FAT or ewfinfo times state the clock's time zone",
             "ru": "в вопросах о временах FAT и ewfinfo указан часовой пояс часов"}
    messages = {"missing": {
        "en": "asks for a {source} time (kept in local time) without stating the zone ({lang} text)",
        "ru": "спрашивает время {source} (хранится как местное) без указания часового пояса (текст {lang})"}}

    def check(self, case):
        for question in case.questions():
            ref = _truth_ref(question.answer)
            source = local_time_source(case.truth, ref) if ref else None
            if source is None:
                continue
            for lang, pattern in _ZONE.items():
                if not pattern.search(question.text.get(lang, "")):
                    yield self.finding(case, f"labs/{question.lab}", f"question {question.id}", "missing",
                                       source=source, lang=lang)
