"""A tiny synthetic course (one lab, fake builds with truth.json) for fast grader tests.

No dataset is built: ``build`` returns the folder of a variant that exists and fails the test
if the grader asks it to build anything else (a submission must not make the grader build).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from grader.course import Course

LAB = "mini-01"
TEXT = {"en": "Question", "ru": "Вопрос"}
QUESTIONS = [("ip", "ip", 1, None), ("host", "text", 1, {"kind": "domain"}), ("pw", "text", 1, {"kind": "password"}),
             ("count", "integer", 1, None), ("names", "set", 2, {"item_type": "path", "fs": "fat16"}),
             ("when", "timestamp", 1, {"tolerance": 2})]


def truth_for(n: int) -> dict:
    return {"artefacts": {"image": {"file": "image.dd", "sha256": f"{n:064x}"}},
            "q": {"ip": f"10.0.0.{n + 5}", "host": f"files{n}.example.net", "pw": f"Secret-{n}x",
                  "count": 100 + n, "names": [f"/Docs/file{n}.txt", f"/Docs/note{n}.txt"],
                  "when": f"2024-03-01T10:{n:02d}:00Z"}}


class MiniCourse:
    """A course under a temporary folder (``.course``), with builds for ``variants`` only."""

    def __init__(self, root: Path, variants: tuple[str | None, ...]) -> None:
        self.course = Course(root)
        self.root = root
        (root / "labs" / LAB).mkdir(parents=True)
        (root / "datasets").mkdir()
        (root / "solutions" / LAB).mkdir(parents=True)
        lab = {"id": LAB, "title": TEXT, "summary": TEXT, "difficulty": "beginner", "minutes": 30, "objectives": [TEXT],
               "evidence": [{"dataset": LAB, "artefact": "image"}],
               "questions": [{"id": q, "text": TEXT, "type": t, "points": p} for q, t, p, _ in QUESTIONS]}
        (root / "labs" / LAB / "lab.yaml").write_text(yaml.safe_dump(lab, allow_unicode=True), "utf-8")
        (root / "labs" / LAB / "README.md").write_text("mini\n", "utf-8")
        key = {"lab": LAB, "answers": {q: {"expected": {"truth": f"q.{q}"}, **({"options": o} if o else {})}
                                       for q, _, _, o in QUESTIONS}}
        (root / "solutions" / LAB / "key.yaml").write_text(yaml.safe_dump(key), "utf-8")
        self.truths = {}
        for n, variant in enumerate(variants):
            folder = self.course.build_dir(LAB, variant)
            folder.mkdir(parents=True)
            self.truths[variant] = truth_for(n)
            (folder / "truth.json").write_text(json.dumps(self.truths[variant]), "utf-8")
            (folder / "image.dd").write_bytes(b"\0" * 512)
        self.build_calls: list[tuple[str, str | None]] = []

    def build(self, case: str, variant: str | None) -> Path:
        self.build_calls.append((case, variant))
        folder = self.course.build_dir(case, variant)
        assert (folder / "truth.json").exists(), f"the grader asked to build {case}/{variant}"
        return folder

    def answers(self, variant: str | None, trainee: str, **overrides: object) -> dict:
        """A right answers document for ``variant``, with some answers replaced."""
        truth = self.truths[variant]["q"]
        answers = {q: (v if isinstance(v, list) else str(v)) for q, v in truth.items()}
        answers.update(overrides)
        return {"lab": LAB, "trainee": {"id": trainee, "name": f"Trainee {trainee}"}, "variant": variant,
                "answers": answers}


@pytest.fixture()
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MiniCourse:
    monkeypatch.delenv("FKLAB_BUILD_DIR", raising=False)
    return MiniCourse(tmp_path / "course", (None, "t-01", "t-02"))
