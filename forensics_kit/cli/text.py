"""Words the CLI shows (table headers, status lines), in English and Russian.

Grading reasons come from :mod:`grader.i18n`; this catalogue is only the CLI's own.
"""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "id": {"en": "ID", "ru": "ID"},
    "title": {"en": "Title", "ru": "Название"},
    "difficulty": {"en": "Level", "ru": "Уровень"},
    "minutes": {"en": "Minutes", "ru": "Минут"},
    "questions": {"en": "Questions", "ru": "Вопросов"},
    "points": {"en": "Points", "ru": "Баллы"},
    "question": {"en": "Question", "ru": "Вопрос"},
    "result": {"en": "Result", "ru": "Результат"},
    "reason": {"en": "Why", "ru": "Пояснение"},
    "type": {"en": "Answer type", "ru": "Тип ответа"},
    "hints": {"en": "Hints", "ru": "Подсказки"},
    "objectives": {"en": "You will learn to", "ru": "Вы научитесь"},
    "evidence": {"en": "Evidence", "ru": "Улики"},
    "total": {"en": "Total", "ru": "Итого"},
    "beginner": {"en": "beginner", "ru": "начальный"},
    "intermediate": {"en": "intermediate", "ru": "средний"},
    "advanced": {"en": "advanced", "ru": "продвинутый"},
    "correct": {"en": "correct", "ru": "верно"},
    "partial": {"en": "partly right", "ru": "частично"},
    "wrong": {"en": "wrong", "ru": "неверно"},
    "missing": {"en": "no answer", "ru": "нет ответа"},
    "workspace_ready": {
        "en": "Workspace ready: {dir}\n  evidence: {evidence}\n  answers:  {answers}\n"
        "Read {readme}, then check your answers with: fklab lab check {lab} {answers}",
        "ru": "Рабочая папка готова: {dir}\n  улики:  {evidence}\n  ответы: {answers}\n"
        "Прочитайте {readme}, затем проверьте ответы: fklab lab check {lab} {answers}",
    },
    "answers_kept": {
        "en": "Kept your existing answers file {answers} (not overwritten).",
        "ru": "Ваш файл ответов {answers} сохранён (не перезаписан).",
    },
    "score_line": {
        "en": "Score: {score:g} of {max:g} ({percent:.0f}%)",
        "ru": "Итог: {score:g} из {max:g} ({percent:.0f}%)",
    },
    "built": {"en": "built {case} ({variant}) in {dir}", "ru": "собран {case} ({variant}) в {dir}"},
    "verify_ok": {"en": "ok", "ru": "совпадает"},
    "verify_bad": {"en": "DIFFERS", "ru": "ОТЛИЧАЕТСЯ"},
    "verify_missing": {"en": "not built", "ru": "не собран"},
    "solver_wrote": {"en": "Reference answers written to {path}", "ru": "Эталонные ответы записаны в {path}"},
    "hint_confirm": {
        "en": "A hint for {question} costs points on that question. Take it?",
        "ru": "Подсказка к вопросу {question} стоит баллов за этот вопрос. Взять её?",
    },
    "hint_head": {
        "en": "Hint {number} of {total} for {question} (costs {cost:g} pt):",
        "ru": "Подсказка {number} из {total} к вопросу {question} (стоит {cost:g} балла):",
    },
    "hint_recorded": {
        "en": "Recorded in {answers}; the grader deducts its cost. Do not edit the hints: list by hand.",
        "ru": "Записано в {answers}; при проверке её стоимость будет вычтена. Не редактируйте список hints: вручную.",
    },
    "hint_all_taken": {
        "en": "You have taken every hint for this question; shown again at no extra cost.",
        "ru": "Вы уже взяли все подсказки к этому вопросу; показана повторно, без доплаты.",
    },
    "sealed_wrote": {"en": "sealed {lab} ({variant}): {path}", "ru": "запечатан {lab} ({variant}): {path}"},
    "pending": {"en": "instructor", "ru": "преподаватель"},
    "pending_line": {
        "en": "Left to your instructor (cannot be checked offline): {points:g} pt.",
        "ru": "Оценит преподаватель (офлайн не проверить): {points:g} балл.",
    },
    "warning": {"en": "warning", "ru": "предупреждение"},
    "error": {"en": "error", "ru": "ошибка"},
}


def tr(key: str, lang: str = "en", **params: object) -> str:
    """The text for ``key`` in ``lang`` (English when there is no translation)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["en"]
    return template.format(**params) if params else template


def pick(text: dict[str, str] | None, lang: str) -> str:
    """Choose the ``lang`` version of a bilingual text from a lab or recipe."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()))
