"""One audit finding: which rule, which build, which evidence item, where in it, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """A place in built evidence that breaks a rule of the real world.

    Attributes:
        rule: the rule's name (``ttl-constant``).
        case: the case id.
        variant: the trainee variant, None for the default build.
        evidence: the evidence id (``capture``), or ``labs/<lab>`` for a question.
        where: the place inside it (a path, ``frame 17``, ``question q3``).
        text: the problem in English and Russian (``{"en": ..., "ru": ...}``).
        accepted: the reason the recipe gives for accepting this finding (``audit.accept``),
            None for a finding that fails the audit.
    """

    rule: str
    case: str
    variant: str | None
    evidence: str
    where: str
    text: dict[str, str] = field(compare=False)
    accepted: str | None = field(default=None, compare=False)

    def message(self, lang: str = "en") -> str:
        """The problem in ``lang`` (English when there is no translation)."""
        return self.text.get(lang) or self.text["en"]

    def line(self, lang: str = "en") -> str:
        """One line: ``case variant evidence where: [rule] problem``."""
        line = (f"{self.case} {self.variant or 'default'} {self.evidence} {self.where}: "
                f"[{self.rule}] {self.message(lang)}")
        return line + (f" (accepted: {self.accepted})" if self.accepted else "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (the English message)."""
        return {"rule": self.rule, "case": self.case, "variant": self.variant or "default",
                "evidence": self.evidence, "where": self.where, "message": self.text["en"],
                "accepted": self.accepted}
