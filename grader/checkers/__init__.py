"""Answer-type checkers: one class per type, found by name through a registry.

Importing this package registers every built-in type::

    from grader.checkers import make_checker
    result = make_checker("set", {"item_type": "ip"}).check(answer, key, max_points=4)
"""

from __future__ import annotations

from grader.checkers.base import (
    Checker,
    CheckResult,
    Outcome,
    get_checker,
    known_types,
    make_checker,
)
from grader.checkers.hashes import HashChecker
from grader.checkers.network import IpChecker
from grader.checkers.numeric import IntegerChecker, NumberChecker
from grader.checkers.sets import SetChecker
from grader.checkers.text import OneOfChecker, RegexChecker, TextChecker
from grader.checkers.timestamps import TimestampChecker

__all__ = [
    "CheckResult",
    "Checker",
    "HashChecker",
    "IntegerChecker",
    "IpChecker",
    "NumberChecker",
    "OneOfChecker",
    "Outcome",
    "RegexChecker",
    "SetChecker",
    "TextChecker",
    "TimestampChecker",
    "get_checker",
    "known_types",
    "make_checker",
]
