"""Regular expressions compiled on first use, so importing a checker or notation costs no compiling.

A module holds dozens of patterns of which one ``fklab lab check`` uses a few (the file-type
notation alone has 47): compiling all of them at import was a tenth of the command's start-up.
:func:`lazy` gives an object that behaves as the compiled pattern (``match``, ``fullmatch``,
``search``, ``sub``, ``pattern``, ...) and compiles it the first time one is used.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LazyPattern", "lazy"]


class LazyPattern:
    """``re.compile(pattern, flags)``, done when an attribute is first asked for."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self._pattern, self._flags)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._pattern!r}, {self._flags})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern compiled on first use; typed as the compiled pattern it stands for."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]
