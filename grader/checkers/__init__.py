"""Answer-type checkers: one class per type, found by name through a registry.

Every built-in type is known by name at once (:data:`~grader.checkers.base.BUILT_IN`); its
module is imported the first time a lab asks for it, so checking a lab's answers loads only
the checkers its questions use::

    from grader.checkers import make_checker
    result = make_checker("set", {"item_type": "ip"}).check(answer, key, max_points=4)

The checker classes are importable from here as before (``from grader.checkers import
SetChecker``), each loaded on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from grader.checkers.base import (
    Checker,
    CheckResult,
    Outcome,
    get_checker,
    known_types,
    make_checker,
)

if TYPE_CHECKING:
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

_CLASSES = {
    "CidrChecker": "network",
    "DatetimeRangeChecker": "ranges",
    "HashChecker": "hashes",
    "IntegerChecker": "numeric",
    "IpChecker": "network",
    "LocationChecker": "locations",
    "MacChecker": "network",
    "NumberChecker": "numeric",
    "OffsetChecker": "locations",
    "OneOfChecker": "text",
    "OrderedChecker": "ordered",
    "PathChecker": "paths",
    "RegexChecker": "text",
    "SetChecker": "sets",
    "TextChecker": "text",
    "TimestampChecker": "timestamps",
}


def __getattr__(name: str) -> Any:
    """A checker class, its module imported on first use."""
    module = _CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
