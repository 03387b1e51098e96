"""Errors of the grader.

Every error the grader raises derives from :class:`GraderError`, so the CLI
catches one base class and prints one line. A trainee's odd answer is never an
error: checkers turn it into a ``wrong`` result with a reason. Errors are for
broken definitions (keys, options, lab files) and unreadable answer files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.i18n import Message


class GraderError(Exception):
    """Base of every error raised by the grader."""


class CheckerConfigError(GraderError):
    """A bad answer type, option or expected value in an answer key.

    The message names the checker and the problem, e.g.
    ``checker 'number': unknown option 'tol' (known: abs_tol, rel_tol)``; the
    integrator prefixes the file and question.
    """

    def __init__(self, problem: str, checker: str | None = None) -> None:
        self.checker = checker
        self.problem = problem
        super().__init__(f"checker '{checker}': {problem}" if checker else problem)


class _SourceError(GraderError):
    """An error about one file or entry: the message reads ``source: problem``."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class LabDefinitionError(_SourceError):
    """A lab or answer-key file that breaks the schema or cannot be read."""


class AnswerFileError(_SourceError):
    """A trainee's answer file that cannot be read at all (not one bad answer)."""


class InvalidAnswer(GraderError):
    """A given answer that cannot be read as the kind the question wants.

    Raised by :meth:`grader.checkers.Checker.normalize`; ``check`` turns it into
    a ``wrong`` result carrying :attr:`reason`, so it never reaches the user.
    """

    def __init__(self, reason: Message) -> None:
        self.reason = reason
        super().__init__(reason.render("en"))
