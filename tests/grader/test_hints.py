"""Hints: taking one records it in the answers file, grading deducts its cost, edits are detected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.answers import load_answers
from grader.hints import DEFAULT_SECRET, derive_key, new_record, verify_hints
from grader.workflow import check_answers, start_lab, take_hint


@pytest.fixture()
def workspace(test_course, build, tmp_path: Path) -> Path:
    ws = start_lab(test_course, "net-01", tmp_path / "ws", build, trainee_id="t-01", variant="t-01")
    text = ws.answers.read_text("utf-8").replace("  domains:", "  domains: [nothing.example]")
    ws.answers.write_text(text, "utf-8")
    return ws.answers


def _result(test_course, build, answers: Path):
    result = check_answers(test_course, "net-01", answers, build)
    return result, {q.id: q for q in result.questions}


def test_taking_a_hint_records_it_and_grading_deducts_its_cost_never_below_zero(test_course, build, workspace):
    taken = take_hint(test_course, "net-01", "domains", workspace)
    assert (taken.number, taken.total, taken.new) == (1, 1, True)
    sheet = load_answers(workspace)
    assert [r["question"] for r in sheet.hints] == ["domains"]
    assert sheet.answers["domains"] == ["nothing.example"], "answers are kept as written"
    result, by_id = _result(test_course, build, workspace)
    assert by_id["domains"].hint_cost == 0.5 and by_id["domains"].points == 0.0
    assert (result.hints_used, result.hint_record, result.warnings) == (1, "ok", ())
    assert "-0.5" in by_id["domains"].reason.render("en")


def test_asking_again_after_the_last_hint_records_nothing_more(test_course, build, workspace):
    take_hint(test_course, "net-01", "domains", workspace)
    again = take_hint(test_course, "net-01", "domains", workspace)
    assert again.new is False and len(load_answers(workspace).hints) == 1


@pytest.mark.parametrize("edit", ["change_question", "change_time", "drop_middle", "garbage"])
def test_hand_edited_hint_record_is_reported_as_tampered(test_course, build, workspace, edit):
    for question in ("packets", "domains", "workstation_ip"):
        take_hint(test_course, "net-01", question, workspace)
    text = workspace.read_text("utf-8")
    lines = text.splitlines()
    idx = [i for i, line in enumerate(lines) if line.startswith("- {question:")]
    if edit == "change_question":
        lines[idx[1]] = lines[idx[1]].replace('"domains"', '"resolver_ip"')
    elif edit == "change_time":
        lines[idx[0]] = lines[idx[0]].replace('at: "', 'at: "1')
    elif edit == "drop_middle":
        del lines[idx[1]]
    else:
        lines.append("- just a line")
    workspace.write_text("\n".join(lines) + "\n", "utf-8")
    result, _ = _result(test_course, build, workspace)
    assert result.hint_record == "tampered"
    assert any(w.key == "hint.tampered" for w in result.warnings)


def test_chain_keys_differ_per_lab_and_variant():
    keys = {derive_key(DEFAULT_SECRET, lab, variant) for lab in ("a", "b") for variant in (None, "t-1")}
    assert len(keys) == 4
    key = derive_key(DEFAULT_SECRET, "a", "t-1")
    records = [new_record(key, [], "q1", 1)]
    assert verify_hints(records, key).status == "ok"
    assert verify_hints(records, derive_key(DEFAULT_SECRET, "a", "t-2")).status == "tampered"
    assert verify_hints(records, None).status == "unverified"


def test_hint_record_survives_yaml_round_trip_of_other_fields(test_course, workspace):
    take_hint(test_course, "net-01", "packets", workspace)
    document = yaml.safe_load(workspace.read_text("utf-8"))
    assert document["lab"] == "net-01" and document["variant"] == "t-01"
    assert document["hints"][0]["hint"] == "1"
