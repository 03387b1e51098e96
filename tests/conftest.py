"""Shared fixtures: the course checkout, and datasets built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import Course

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(REPO)


@pytest.fixture(scope="session")
def build_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private build folder for this test session (never the user's datasets/build)."""
    return tmp_path_factory.mktemp("builds")


@pytest.fixture(scope="session")
def build(course: Course, build_root: Path):
    """``build(case, variant) -> folder``, building each dataset once per session."""
    from forensics_kit.course_build import builder_for

    return builder_for(course.datasets, build_root)


@pytest.fixture(scope="session")
def test_course(course: Course, build_root: Path) -> Course:
    """The shipped course, but with builds going to the session's private folder."""

    class _Course(Course):
        @property
        def builds(self) -> Path:  # type: ignore[override]
            return build_root

    return _Course(course.root)
