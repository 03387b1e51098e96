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
from grader.checkers.locations import LocationChecker, OffsetChecker
from grader.checkers.network import CidrChecker, IpChecker, MacChecker
from grader.checkers.numeric import IntegerChecker, NumberChecker
from grader.checkers.ordered import OrderedChecker
from grader.checkers.paths import PathChecker
from grader.checkers.ranges import DatetimeRangeChecker
from grader.checkers.sets import SetChecker
from grader.checkers.text import OneOfChecker, RegexChecker, TextChecker
from grader.checkers.timestamps import TimestampChecker

__all__ = [
    "CheckResult",
    "Checker",
    "CidrChecker",
    "DatetimeRangeChecker",
    "HashChecker",
    "IntegerChecker",
    "IpChecker",
    "LocationChecker",
    "MacChecker",
    "NumberChecker",
    "OffsetChecker",
    "OneOfChecker",
    "OrderedChecker",
    "Outcome",
    "PathChecker",
    "RegexChecker",
    "SetChecker",
    "TextChecker",
    "TimestampChecker",
    "get_checker",
    "known_types",
    "make_checker",
]
