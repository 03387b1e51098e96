"""Artefacts made by the builder's own generators (shared by the artefact tests)."""

from __future__ import annotations

import random
from typing import Any

from forensics_kit.builder import make_content


def generated(generator: str, seed: int = 1, **spec: Any) -> bytes:
    """Bytes of one ``{generate: <generator>, ...}`` content entry."""
    return make_content({"generate": generator, **spec}, random.Random(seed))
