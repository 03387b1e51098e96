"""The contract of an audit rule, and its registry (STYLE.md section 2).

A rule is one small class: a ``name`` (what a finding is tagged with), a
bilingual ``title`` (what it checks, for ``fklab datasets audit --rules``), its
``messages`` (templates in English and Russian) and ``check``, which reads a
:class:`~forensics_kit.builder.audit.evidence.BuiltCase` as an examiner would and
yields findings. Subclassing registers it; the audit runs every registered rule.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from forensics_kit.builder.audit.finding import Finding
from forensics_kit.builder.registry import Registered

if TYPE_CHECKING:
    from forensics_kit.builder.audit.evidence import BuiltCase


class AuditRule(Registered):
    """Contract: ``check(case) -> Iterator[Finding]``; one finding per offending place.

    Attributes:
        title: what the rule checks, ``{"en": ..., "ru": ...}``.
        messages: finding templates by key, each ``{"en": ..., "ru": ...}`` with
            ``str.format`` fields filled by :meth:`finding`.
    """

    kind: ClassVar[str] = "audit rule"
    registry: ClassVar[dict[str, type[Registered]]] = {}
    title: ClassVar[dict[str, str]] = {}
    messages: ClassVar[dict[str, dict[str, str]]] = {}

    @abstractmethod
    def check(self, case: BuiltCase) -> Iterator[Finding]:
        """Yield a finding for every place of the build that breaks this rule."""

    def finding(self, case: BuiltCase, evidence: str, where: str, key: str, **values: Any) -> Finding:
        """A finding of this rule with the message ``key`` filled in both languages."""
        text = {lang: template.format(**values) for lang, template in self.messages[key].items()}
        return Finding(self.name, case.case, case.variant, evidence, where, text)
