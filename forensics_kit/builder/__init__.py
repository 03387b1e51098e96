"""Case builder: YAML recipes -> evidence (disk images, captures) + truth.json, deterministic.

::

    from forensics_kit.builder import build_case, load_recipe

    result = build_case(Path("datasets/disk-01.yaml"), Path("datasets/build"), variant="trainee-07")
    result.truth["items"]["transfer"]["sha256"]

The traffic generator (:mod:`forensics_kit.builder.traffic`) is imported only
when a capture is built.
"""

from __future__ import annotations

from forensics_kit.builder import contents as _contents  # noqa: F401 - registers the artefact generators
from forensics_kit.builder.artefact import ArtefactTruth, BuildContext, EvidenceType
from forensics_kit.builder.build import BuildResult, build_case, variant_seed
from forensics_kit.builder.content import ContentGenerator, make_content
from forensics_kit.builder.manifest import (
    VerifyResult,
    read_manifest,
    verify_builds,
    write_manifest,
)
from forensics_kit.builder.parameters import ParameterType, draw_parameters
from forensics_kit.builder.recipe import SCHEMA_PATH, Recipe, list_recipes, load_recipe
from forensics_kit.builder.sessions import SessionType

__all__ = [
    "SCHEMA_PATH",
    "ArtefactTruth",
    "BuildContext",
    "BuildResult",
    "ContentGenerator",
    "EvidenceType",
    "ParameterType",
    "Recipe",
    "SessionType",
    "VerifyResult",
    "build_case",
    "draw_parameters",
    "list_recipes",
    "load_recipe",
    "make_content",
    "read_manifest",
    "variant_seed",
    "verify_builds",
    "write_manifest",
]
