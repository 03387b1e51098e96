"""Shared fixtures: the course checkout, and datasets built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import Course

REPO = Path(__file__).resolve().parents[1]
_READS_CORPUS: dict[str, bool] = {}


def _reads_corpus(module: object) -> bool:
    """A test module reads the shared corpus when it imports the one helper that reaches it."""
    path = getattr(module, "__file__", None) or ""
    if path not in _READS_CORPUS:
        _READS_CORPUS[path] = "shared_corpus" in Path(path).read_text("utf-8") if path else False
    return _READS_CORPUS[path]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of a corpus-reading module ``corpus`` (``pytest -m corpus`` runs them)."""
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and _reads_corpus(module):
            item.add_marker(pytest.mark.corpus)


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
