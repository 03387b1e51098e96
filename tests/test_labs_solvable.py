"""Every lab is solvable: its reference solver, from the evidence alone, gets full marks.

For the default build and two trainee variants; the variants' answers differ. A
hand-written answers file with two wrong answers and a partly right set gets
exactly the expected score.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from grader.answers import load_answers
from grader.grade import grade_sheet
from grader.workflow import check_answers, lab_key, open_lab, run_solver, solution_sheet, start_lab

REPO = Path(__file__).resolve().parents[1]
LABS = sorted(p.parent.name for p in (REPO / "labs").glob("*/lab.yaml"))
VARIANTS = (None, "trainee-a", "trainee-b")


class _Solved(dict):
    """(lab, variant) -> (context, solution, result), solved on first use.

    Lazy, so one broken lab fails its own tests and not every lab's.
    """

    def __init__(self, course, build) -> None:
        super().__init__()
        self.course, self.build = course, build

    def __missing__(self, key):
        lab_id, variant = key
        ctx, solution = run_solver(self.course, lab_id, variant, self.build)
        result = grade_sheet(ctx.lab, lab_key(self.course, ctx.lab), ctx.truths, solution_sheet(ctx, solution))
        self[key] = (ctx, solution, result)
        return self[key]


@pytest.fixture(scope="module")
def solved(test_course, build) -> _Solved:
    return _Solved(test_course, build)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("lab_id", LABS)
def test_reference_solver_gets_full_marks(solved, lab_id: str, variant: str | None) -> None:
    _, solution, result = solved[lab_id, variant]
    wrong = {
        q.id: (q.outcome.value, q.reason.render("en"), q.given) for q in result.questions if q.points < q.max_points
    }
    assert not wrong, wrong
    assert result.score == result.max_score > 0
    assert solution.walkthrough, "the solver explains how it found the answers"


@pytest.mark.parametrize("lab_id", LABS)
def test_variants_have_different_answers(solved, lab_id: str) -> None:
    answers = [solved[lab_id, v][1].answers for v in VARIANTS]
    differing = [qid for qid in answers[0] if len({repr(a.get(qid)) for a in answers}) == len(VARIANTS)]
    # Questions whose answer is the same by design (a count, a file-system type) may repeat.
    assert len(differing) >= len(answers[0]) // 2, (lab_id, differing)
    evidence = [solved[lab_id, v][0].evidence_sha256() for v in VARIANTS]
    assert len({tuple(sorted(e.items())) for e in evidence}) == len(VARIANTS)


def test_hand_written_answers_get_exactly_the_expected_score(test_course, build, tmp_path: Path) -> None:
    ctx = open_lab(test_course, "net-01", None, build)
    truth = ctx.truths["net-01"]
    domains = truth["artefacts"]["capture"]["dns_qnames"]
    session = truth["sessions"]["download"]
    answers = {
        "lab": "net-01",
        "trainee": {"name": "Hand Written", "id": "hw-1"},
        "answers": {
            "packets": str(truth["artefacts"]["capture"]["packets"] + 1),  # wrong
            "workstation_ip": "10.9.9.9",  # wrong
            "resolver_ip": truth["hosts"]["resolver"]["ip"],
            "domains": [d.upper() for d in domains[:-1]],  # partly right: one missing
            "download_host": session["host"],
            "download_uri": session["uri"],
            "download_frame": str(session["request_frame"]),
            "user_agent": session["user_agent"],
            "download_sha256": session["body_sha256"].upper(),
        },
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, sort_keys=False), "utf-8")
    result = check_answers(test_course, "net-01", path, build)
    outcomes = {q.id: q.outcome.value for q in result.questions}
    assert outcomes["packets"] == outcomes["workstation_ip"] == "wrong"
    assert outcomes["domains"] == "partial"
    assert sum(1 for o in outcomes.values() if o == "correct") == 6
    expected = 11 - 1 - 1 - 2 * (1 / len(domains))
    assert result.score == pytest.approx(expected, abs=1e-3)
    assert result.max_score == 11


def test_lab_start_makes_a_workspace_and_keeps_existing_answers(test_course, build, tmp_path: Path) -> None:
    ws = start_lab(
        test_course,
        "disk-01",
        tmp_path / "ws",
        build,
        lang="ru",
        trainee_name="Анна",
        trainee_id="t-07",
        variant="t-07",
    )
    usb = ws.evidence["usb"]
    assert usb.exists() and not (usb.stat().st_mode & 0o222), "evidence copy is read-only"
    assert (ws.directory / "README.ru.md").exists()
    sheet = load_answers(ws.answers)
    assert sheet.variant == "t-07" and sheet.trainee_id == "t-07"
    assert sheet.evidence_sha256["usb"] == hashlib.sha256(usb.read_bytes()).hexdigest()
    ws.answers.write_text(ws.answers.read_text("utf-8").replace("  label:", "  label: MY-ANSWER"), "utf-8")
    start_lab(test_course, "disk-01", tmp_path / "ws", build, variant="t-07")
    assert "MY-ANSWER" in ws.answers.read_text("utf-8")


def test_lab_start_copies_the_labs_materials_and_keeps_the_trainees_edits(test_course, build, tmp_path: Path) -> None:
    ws = start_lab(test_course, "disk-06", tmp_path / "ws", build, variant="t-09")
    rules = ws.directory / "rules.yar"
    assert rules.read_bytes() == (test_course.labs / "disk-06" / "rules.yar").read_bytes()
    assert (ws.directory / "known_bad.txt").exists()
    rules.write_text(rules.read_text("utf-8") + "\nrule mine { condition: false }\n", "utf-8")
    start_lab(test_course, "disk-06", tmp_path / "ws", build, variant="t-09")
    assert "rule mine" in rules.read_text("utf-8")
