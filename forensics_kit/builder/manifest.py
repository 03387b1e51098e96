"""The manifest of default builds (``datasets/manifest.json``) and checking builds against it.

The manifest maps each case to its artefact files and their SHA-256, so a
trainer can prove the evidence handed out is the evidence the keys were written
for, and a test notices any builder change that alters bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from forensics_kit.builder.build import BuildResult
from forensics_kit.errors import BuildError, EvidenceError
from forensics_kit.hashing import hash_file


@dataclass(frozen=True)
class VerifyResult:
    """One artefact checked against the manifest; ``actual`` is None when the file is missing."""

    case: str
    artefact: str
    expected: str
    actual: str | None
    ok: bool

    @property
    def missing(self) -> bool:
        """True when the built file is not there (the case was not built)."""
        return self.actual is None


def read_manifest(path: str | Path) -> dict[str, dict[str, str]]:
    """Load a manifest; a missing file is an empty manifest."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path}: not a readable manifest: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise BuildError(f"{path}: a manifest maps each case to {{file: sha256}}")
    return data


def write_manifest(
    results: Iterable[BuildResult], path: str | Path, merge: bool = True
) -> dict[str, dict[str, str]]:
    """Record the SHA-256 of every artefact of the default builds among ``results``.

    Variant builds are skipped (they are per trainee). With ``merge`` the cases not
    rebuilt keep their entries. Returns the manifest written.
    """
    manifest = read_manifest(path) if merge else {}
    for result in results:
        if result.variant is not None:
            continue
        artefacts = result.truth["artefacts"].values()
        manifest[result.case] = {
            a["file"]: a["sha256"] for a in sorted(artefacts, key=lambda a: a["file"])
        }
    ordered = {case: manifest[case] for case in sorted(manifest)}
    try:
        Path(path).write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return ordered


def verify_builds(manifest_path: str | Path, build_root: str | Path) -> list[VerifyResult]:
    """Hash every default build the manifest lists; a missing file is reported, not raised."""
    results = []
    for case, files in read_manifest(manifest_path).items():
        for name, expected in files.items():
            target = Path(build_root) / case / "default" / name
            try:
                actual = hash_file(target, ("sha256",))["sha256"] if target.is_file() else None
            except EvidenceError:
                actual = None
            results.append(VerifyResult(case, name, expected, actual, actual == expected))
    return results
