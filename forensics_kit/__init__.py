"""forensics_kit: the analysis library trainees use on disk images and captures.

Sub-packages: :mod:`forensics_kit.disk` (images, volumes, file systems),
:mod:`forensics_kit.net` (captures), :mod:`forensics_kit.builder` (case
datasets from recipes), :mod:`forensics_kit.cli` (the ``fklab`` command).
"""

from __future__ import annotations

from forensics_kit.errors import EvidenceError, ForensicsKitError, NotFoundError, RecipeError

__all__ = ["EvidenceError", "ForensicsKitError", "NotFoundError", "RecipeError"]
__version__ = "0.1.0"
