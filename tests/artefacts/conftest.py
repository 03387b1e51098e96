"""Fixtures: artefacts made by the builder's own generators, and optional cross-check tools."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from forensics_kit.builder import make_content


def generated(generator: str, seed: int = 1, **spec: Any) -> bytes:
    """Bytes of one ``{generate: <generator>, ...}`` content entry."""
    return make_content({"generate": generator, **spec}, random.Random(seed))


@pytest.fixture
def generate() -> Callable[..., bytes]:
    return generated
