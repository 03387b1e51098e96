"""Running the audit: build (or open) each case's default and variant builds and apply every rule."""

from __future__ import annotations

import dataclasses
import fnmatch
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import forensics_kit.builder.audit.rules  # noqa: F401 - registers the rules
from forensics_kit.builder.audit.errors import AuditError
from forensics_kit.builder.audit.evidence import BuiltCase
from forensics_kit.builder.audit.finding import Finding
from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.recipe import Recipe, load_recipe

Progress = Callable[[str, int, int], None]


def audit_variants(count: int) -> list[str | None]:
    """The builds the audit looks at: the default one and ``count`` trainee variants."""
    return [None, *(f"audit-{n}" for n in range(1, count + 1))]


def rules(names: Iterable[str] | None = None) -> list[AuditRule]:
    """Instances of the named rules (default: every registered one), in name order.

    Raises:
        UnknownKindError: a name no rule is registered under (the message lists the known ones).
    """
    chosen = sorted(names) if names is not None else AuditRule.names()
    return [AuditRule.lookup(name)() for name in chosen]


def audit_build(recipe: Recipe, directory: Path, course_root: Path | None = None,
                only: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the rules over one build folder (``<case>/<variant>/``).

    Findings the recipe accepts (``audit: {accept: [{rule, where, reason}]}``, ``where``
    a glob over the finding's place) come back with ``accepted`` set to the reason.
    """
    case = BuiltCase(recipe, directory, course_root)
    accepts = _accepts(recipe)
    found = []
    for rule in rules(only):
        for finding in rule.check(case):
            reason = next((a["reason"] for a in accepts if a["rule"] == finding.rule
                           and a.get("evidence", finding.evidence) == finding.evidence
                           and fnmatch.fnmatchcase(finding.where, a["where"])), None)
            found.append(dataclasses.replace(finding, accepted=reason) if reason else finding)
    return found


def _accepts(recipe: Recipe) -> list[dict]:
    accepts = recipe.data.get("audit", {}).get("accept", [])
    known = set(AuditRule.names())
    for index, accept in enumerate(accepts):
        if accept["rule"] not in known:
            raise AuditError(f"{recipe.path}: audit.accept[{index}]: unknown rule {accept['rule']!r} "
                             f"(known: {', '.join(sorted(known))})")
    return accepts


def audit_cases(recipes: Iterable[Path | Recipe], variants: int = 2, *, course_root: Path | None = None,
                build_root: Path | None = None, only: Iterable[str] | None = None,
                progress: Progress | None = None) -> list[Finding]:
    """Build each recipe's default and ``variants`` trainee builds and audit them.

    Builds go to a temporary folder, so what is audited is what the builder makes
    now; with ``build_root`` the builds already there are audited (built when missing).
    """
    from forensics_kit.course_build import ensure_built

    loaded = [r if isinstance(r, Recipe) else load_recipe(r) for r in recipes]
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="fklab-audit-") as scratch:
        root = Path(build_root) if build_root is not None else Path(scratch)
        jobs = [(recipe, variant) for recipe in loaded for variant in audit_variants(variants)]
        for index, (recipe, variant) in enumerate(jobs):
            if progress:
                progress(f"{recipe.case} {variant or 'default'}", index, len(jobs))
            folder = ensure_built(recipe.path.parent, root, recipe.case, variant)
            findings += audit_build(recipe, folder, course_root, only)
        if progress:
            progress("done", len(jobs), len(jobs))
    return findings
