"""grader: checks trainees' answers against lab answer keys.

Knows nothing of disk images or captures (no pytsk3, scapy, dfvfs or yara):
it compares values. :mod:`grader.checkers` holds the answer types,
:mod:`grader.i18n` the bilingual reasons, :mod:`grader.errors` the errors.
"""

from __future__ import annotations

from grader.checkers import (
    Checker,
    CheckResult,
    Outcome,
    get_checker,
    known_types,
    make_checker,
)
from grader.errors import (
    AnswerFileError,
    CheckerConfigError,
    GraderError,
    InvalidAnswer,
    LabDefinitionError,
)
from grader.i18n import LANGUAGES, Message, msg, render

__all__ = [
    "LANGUAGES",
    "AnswerFileError",
    "CheckResult",
    "Checker",
    "CheckerConfigError",
    "GraderError",
    "InvalidAnswer",
    "LabDefinitionError",
    "Message",
    "Outcome",
    "get_checker",
    "known_types",
    "make_checker",
    "msg",
    "render",
]
