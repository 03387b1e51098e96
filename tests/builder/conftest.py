"""Fixtures: the shipped recipes built once per session into a temporary folder."""

from __future__ import annotations

import time

import pytest
from builder_paths import DATASETS, SHIPPED

from forensics_kit.builder import BuildResult, build_case


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildResult]:
    """Default build of every shipped recipe, with the time it finished."""
    root = tmp_path_factory.mktemp("build")
    results = {case: build_case(DATASETS / f"{case}.yaml", root) for case in SHIPPED}
    results["_finished"] = time.monotonic()  # type: ignore[assignment]
    return results
