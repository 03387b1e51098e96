"""Bilingual reasons: the catalogue, rendering, and that reasons never leak the answer."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import grader
from grader import Message, make_checker, msg, render
from grader.i18n import add_messages
from grader.messages import CATALOGUE

CHECKERS_DIR = Path(grader.__file__).parent / "checkers"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_english_and_russian_with_the_same_fields():
    for key, entry in CATALOGUE.items():
        assert set(entry) == {"en", "ru"}, key
        assert _fields(entry["en"]) == _fields(entry["ru"]), key


def test_russian_texts_are_written_in_russian():
    for key, entry in CATALOGUE.items():
        if key != "joined":
            assert re.search("[а-яё]", entry["ru"], re.IGNORECASE), key


def test_every_message_key_used_by_the_checkers_is_in_the_catalogue():
    used = set()
    for path in CHECKERS_DIR.glob("*.py"):
        used |= set(re.findall(r"""msg\(\s*["']([\w.]+)["']""", path.read_text("utf-8")))
    assert used and used <= set(CATALOGUE)


def test_unknown_language_falls_back_to_english():
    assert render("answer.missing", "de") == render("answer.missing", "en") == "No answer given."


def test_unknown_key_is_refused_by_msg_but_render_never_raises():
    with pytest.raises(KeyError):
        msg("no.such.message")
    assert render("no.such.message", "ru", n=1) == "no.such.message (n=1)"
    assert render("set.right", "en") == "set.right"  # parameters missing


@pytest.mark.parametrize(
    ("count", "en", "ru"),
    [(1, "1 item could", "1 элемент."), (2, "2 items could", "2 элемента."),
     (5, "5 items could", "5 элементов."), (11, "11 items could", "11 элементов."),
     (21, "21 items could", "21 элемент."), (23, "23 items could", "23 элемента.")],
)
def test_plural_forms_follow_each_language(count, en, ru):
    message = msg("set.unreadable", count=count, kind=msg("kind.hash"))
    assert en in message.render("en")
    assert message.render("ru").endswith(ru)


def test_nested_messages_render_in_the_same_language_and_serialise():
    message = msg("answer.wrong_kind", want=msg("kind.integer"), got=msg("kind.list"))
    assert message.render("ru") == "Ответ не того типа: ожидается целое число, получено: список."
    assert message.to_dict() == {
        "key": "answer.wrong_kind",
        "params": {"want": {"key": "kind.integer", "params": {}},
                   "got": {"key": "kind.list", "params": {}}},
    }
    assert str(message) == message.render("en")


def test_add_messages_needs_every_language_and_refuses_silent_redefinition():
    add_messages({"test.extra": {"en": "Extra {x}.", "ru": "Доп. {x}."}})
    assert Message("test.extra", {"x": 1}).render("ru") == "Доп. 1."
    with pytest.raises(ValueError, match="'ru'"):
        add_messages({"test.only_en": {"en": "x"}})
    with pytest.raises(ValueError, match="already defined"):
        add_messages({"answer.missing": {"en": "x", "ru": "y"}})
    del CATALOGUE["test.extra"]


# Wrong answers per type, with the expected value that must never appear in a reason.
LEAK_CASES = [
    ("text", "Administrator", ["administrator1", "admin", "ADMINISTRATOR ", 7, {"a": 1}]),
    ("hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
      "0" * 64, "d41d8cd98f00b204e9800998ecf8427e", "zz", 5]),
    ("ip", "192.168.56.101", ["192.168.56.10", "192.168.056.101", "fe80::1", "192.168.56.0/24",
                              "x"]),
    ("integer", 4096, ["4095", "0x1001", "4 097", "4 kB", 4097.5, "many"]),
]


@pytest.mark.parametrize(("type_", "expected", "answers"), LEAK_CASES)
def test_reasons_for_wrong_answers_never_contain_the_expected_value(type_, expected, answers):
    checker = make_checker(type_, {"case_sensitive": True} if type_ == "text" else {})
    forms = {str(expected), str(expected).lower(), str(expected).upper()}
    if type_ == "integer":
        forms |= {"4 096", "0x1000", "1000"}
    for given in answers:
        result = checker.check(given, expected, 1)
        assert result.outcome.value == "wrong", given
        for lang in ("en", "ru"):
            text = result.reason.render(lang)
            assert text and not any(form in text for form in forms), (given, lang, text)


def test_case_hint_does_not_reveal_the_expected_spelling():
    result = make_checker("text", {"case_sensitive": True}).check("passw0rd", "PassW0rd", 1)
    assert "PassW0rd" not in result.reason.render("en") + result.reason.render("ru")
