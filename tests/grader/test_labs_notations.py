"""Every shipped lab, answered right but written the way the standard tools print it, gets full marks.

The reference solver's answers are rewritten per question into another tool's notation (istat
times in another zone, Windows paths, trailing DNS dots, mailboxes with display names, nmap
ports, IBANs without spaces, phones with Russia's trunk 8, sha256sum lines, TSK inode words, fsstat's
Volume ID, USBSTOR's FriendlyName and instance...),
then graded with the shipped key. A wrong letter case on a case-sensitive answer must still fail.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.answers import parse_answers
from grader.grade import grade_sheet
from grader.workflow import lab_key, run_solver, solution_document

REPO = Path(__file__).resolve().parents[2]
LABS = sorted(p.parent.name for p in (REPO / "labs").glob("*/lab.yaml"))
MSK = timezone(timedelta(hours=3))


def _istat_msk(value: str) -> str:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(MSK).strftime("%Y-%m-%d %H:%M:%S.%f") + "000 (MSK)"


def _phone8(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"8 ({digits[1:4]}) {digits[4:7]}-{digits[7:9]}-{digits[9:]}" if digits.startswith("7") else value


def _rewrite(type_: str, options: dict, value):
    """The same answer in another tool's notation."""
    kind = options.get("kind") or options.get("item_type")
    if isinstance(value, list):
        item = {"item_type": options.get("item_type", "text")}
        return [_rewrite(item["item_type"] if item["item_type"] in ("path",) else "text",
                         {"kind": item["item_type"], "fs": options.get("fs")}, v) for v in value]
    if type_ == "timestamp":
        return _istat_msk(value)
    if type_ == "path" or kind == "path":
        fs = options.get("fs") or ""
        return "C:" + value.replace("/", "\\") if fs in ("ntfs", "fat16", "fat32", "exfat", "vfat") else value
    if type_ == "hash":
        return f"{value.upper()}  evidence.bin" if len(value) == 64 else value.upper()
    if type_ == "location":
        return f"{options.get('kind', 'inode')} {value}".replace("mft", "MFT entry")
    if type_ == "integer" and "inode" in str(options.get("_qid", "")):
        return f"inode {value}"
    if type_ == "mac":
        return value.upper().replace(":", "-")
    if kind == "domain":
        return value + "."
    if kind == "email":
        return f"Someone <{value}>"
    if kind == "iban":
        return value.replace(" ", "")
    if kind == "phone":
        return _phone8(value)
    if kind == "port":
        return f"{value}/tcp"
    if kind == "uri":
        return f"GET {value} HTTP/1.1"
    if kind == "identifier":
        return f"No. {value}"
    if kind == "username":
        return f"uid=1001({value}) gid=1001({value})"
    if kind == "usb_device":
        return f"{value} USB Device"  # USBSTOR's FriendlyName
    if kind == "usb_serial":
        return f"{value}&0"  # the USBSTOR instance, LUN appended
    if kind == "volume_serial":
        return "Volume ID: 0x" + value.replace("-", "").lower()  # fsstat
    return value


@pytest.fixture(scope="module")
def solved(test_course, build) -> dict:
    return {lab: run_solver(test_course, lab, None, build) for lab in LABS}


@pytest.mark.parametrize("lab_id", LABS)
def test_right_answers_in_tool_notations_get_full_marks(test_course, solved, lab_id):
    ctx, solution = solved[lab_id]
    key = lab_key(test_course, ctx.lab)
    document = solution_document(ctx, solution)
    rewritten = {}
    for question in ctx.lab.questions:
        value = document["answers"].get(question.id)
        if value is None:
            continue
        options = {**key.entries[question.id].options, "_qid": question.id}
        rewritten[question.id] = _rewrite(question.type, options, value)
    sheet = parse_answers({**document, "answers": rewritten}, "notations.yaml", ctx.lab)
    result = grade_sheet(ctx.lab, key, ctx.truths, sheet)
    lost = {q.id: (rewritten.get(q.id), q.reason.render("en")) for q in result.questions if q.points < q.max_points}
    assert not lost, lost


@pytest.mark.parametrize("lab_id", LABS)
def test_case_sensitive_answers_in_the_wrong_case_still_fail(test_course, solved, lab_id):
    ctx, solution = solved[lab_id]
    key = lab_key(test_course, ctx.lab)
    document = solution_document(ctx, solution)
    for question in ctx.lab.questions:
        options = key.entries[question.id].options
        strict = options.get("kind") in ("password", "username") or options.get("fs") in ("ext4",)
        value = document["answers"].get(question.id)
        if not strict or not isinstance(value, str) or value.swapcase() == value:
            continue
        sheet = parse_answers({**document, "answers": {question.id: value.swapcase()}}, "case.yaml", ctx.lab)
        graded = next(q for q in grade_sheet(ctx.lab, key, ctx.truths, sheet).questions if q.id == question.id)
        assert graded.points == 0, (lab_id, question.id)
