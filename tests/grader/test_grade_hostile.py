"""A class always finishes: every hostile file gets its own row, ``fklab grade`` never exits 70."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.errors import GraderError
from grader.gradebook import grade_class
from grader.gradebook_write import cell, slug

LAB = "mini-01"


def _dump(document: dict) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


def _hostile(mini) -> dict[str, bytes]:
    right = mini.answers(None, "ok-1")
    deep_json = b'{"lab": "mini-01", "answers": {"ip": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    deep_yaml = b"lab: mini-01\nanswers:\n  ip: " + b"[" * 5000 + b"]" * 5000 + b"\n"
    return {
        "a-right.yaml": _dump(right),
        "b-deep.json": deep_json,
        "c-deep.yaml": deep_yaml,
        "d-deep-block.yaml": b"lab: mini-01\nanswers:\n  names:\n    " + b"- " * 3000 + b"x\n",
        "e-digits.yaml": _dump(mini.answers(None, "d-1", count="9" * 100_000)),
        "f-digits.json": b'{"lab": "mini-01", "trainee": {"id": "d-2"}, "answers": {"count": ' + b"7" * 100_000
        + b"}}",
        "g-long-variant.yaml": _dump(mini.answers(None, "v-1") | {"variant": "v" * 5000}),
        "h-traversal.yaml": _dump(mini.answers(None, "v-2") | {"variant": "../../../../tmp/evil"}),
        "i-nul.yaml": _dump(mini.answers(None, "n\x00ul") | {"variant": "t\x00-01"}),
        "i-nul.json": json.dumps(mini.answers(None, "n\x00ul-2") | {"variant": "t\x00-01"}).encode(),
        "j-dup.yaml": b"lab: mini-01\nanswers:\n  ip: 10.0.0.5\n  ip: 10.0.0.6\n",
        "k-dup.json": b'{"lab": "mini-01", "lab": "mini-01", "answers": {}}',
        "l-unknown-variant.yaml": _dump(mini.answers(None, "u-1") | {"variant": "t-99"}),
        "m-formula.yaml": _dump(mini.answers(None, "=cmd|' /C calc'!A0") | {"trainee": {
            "id": "=cmd|' /C calc'!A0", "name": "=HYPERLINK(\"http://evil\",\"x\")"}}),
        "n-con.yaml": _dump(mini.answers(None, "CON")),
        "o-list.yaml": _dump(mini.answers(None, "big", names=[f"/x/{i}.txt" for i in range(60_000)])),
        "p-types.yaml": b"lab: mini-01\nanswers: {ip: {a: {b: [1, {c: 2}]}}}\n",
        "q-weird.yaml": _dump(mini.answers(None, "w-1", when="Tue Apr 99 2024 99:99:99", host="\x00" * 10,
                                          pw=["x"] * 3, ip="::ffff:" + "9" * 3000)),
    }


def test_every_hostile_file_gets_its_own_row_and_nothing_is_built(mini, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, data in _hostile(mini).items():
        (subs / name).write_bytes(data)
    book = grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build)
    rows = {row["file"]: row for row in book.rows}
    assert set(rows) == set(_hostile(mini))
    assert rows["a-right.yaml"]["score"] == 7 and not rows["a-right.yaml"]["error"]
    for name in ("b-deep.json", "c-deep.yaml", "d-deep-block.yaml"):
        assert "nested" in rows[name]["error"], rows[name]
    for name in ("j-dup.yaml", "k-dup.json"):
        assert "duplicate key" in rows[name]["error"]
    assert not rows["e-digits.yaml"]["error"] and rows["e-digits.yaml"]["score"] == 6
    assert not rows["f-digits.json"]["error"]
    for name in ("g-long-variant.yaml", "h-traversal.yaml", "i-nul.json"):
        assert "not a variant id" in rows[name]["error"] and len(rows[name]["error"]) < 200
    assert rows["i-nul.yaml"]["error"] and "\n" not in rows["i-nul.yaml"]["error"]  # YAML's \0 escape: refused
    assert "neither built nor in the roster" in rows["l-unknown-variant.yaml"]["error"]
    assert rows["o-list.yaml"]["questions"]["names"] == 0 and rows["o-list.yaml"]["score"] == 5
    assert rows["p-types.yaml"]["error"] or rows["p-types.yaml"]["score"] == 0
    assert not rows["q-weird.yaml"]["error"]
    assert all(variant in (None, "t-01", "t-02") for _, variant in mini.build_calls)
    assert not (tmp_path / "tmp").exists() and not Path("/tmp/evil").exists()


def test_a_roster_variant_is_graded_and_an_unlisted_unbuilt_one_is_an_error_row(mini, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.yaml").write_bytes(_dump(mini.answers("t-01", "a")))
    (subs / "b.yaml").write_bytes(_dump(mini.answers("t-01", "b") | {"variant": "t-77"}))
    book = grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build, roster=["t-01"])
    assert [bool(r["error"]) for r in book.rows] == [False, True]


def test_gradebook_csv_escapes_formula_cells():
    assert cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert cell(start + "1").startswith("'")
    assert cell("t-01") == "t-01" and cell(None) == ""


def test_formula_names_reach_the_csv_escaped(mini, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "m.yaml").write_bytes(_hostile(mini)["m-formula.yaml"])
    grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build)
    text = (tmp_path / "out" / "gradebook.csv").read_text("utf-8")
    assert ",=" not in text and "\n=" not in text and "'=HYPERLINK" in text


@pytest.mark.parametrize(("name", "safe"), [("CON", "_CON"), ("con.txt", "_con.txt"), ("LPT1", "_LPT1"),
                                             ("../../etc/passwd", "etc_passwd"), ("nul", "_nul"), ("", "trainee")])
def test_feedback_file_names_are_made_safe(name, safe):
    assert slug(name) == safe


def test_no_output_is_written_through_a_symlink(mini, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.yaml").write_bytes(_dump(mini.answers(None, "a")))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "feedback").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(GraderError, match="symbolic link"):
        grade_class(mini.course, LAB, subs, out, mini.build)
    link_out = tmp_path / "link-out"
    link_out.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(GraderError, match="symbolic link"):
        grade_class(mini.course, LAB, subs, link_out, mini.build)
    assert not any(elsewhere.iterdir())
    good = tmp_path / "good"
    good.mkdir()
    (good / "gradebook.csv").symlink_to(elsewhere / "stolen.csv")
    grade_class(mini.course, LAB, subs, good, mini.build)
    assert not (elsewhere / "stolen.csv").exists() and not (good / "gradebook.csv").is_symlink()


def _zip(members: dict[str, bytes], *, corrupt: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    raw = bytearray(buffer.getvalue())
    if corrupt:
        at = raw.find(corrupt.encode()) + len(corrupt) + 8
        raw[at:at + 20] = b"\xff" * 20  # damage the deflate stream of that member
    return bytes(raw)


def test_corrupt_and_encrypted_zip_members_are_rows_and_the_rest_is_graded(mini, tmp_path):
    right = _dump(mini.answers(None, "z-1"))
    data = _zip({"a.yaml": right, "b-corrupt.yaml": right * 40, "c.yaml": _dump(mini.answers(None, "z-2"))},
                corrupt="b-corrupt.yaml")
    raw = bytearray(data)
    # mark c.yaml as encrypted (general purpose flag bit 0) in its local and central headers
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (start := raw.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            flag_at = start + (6 if signature == b"PK\x03\x04" else 8)
            if raw[name_at:name_at + 6] == b"c.yaml":
                raw[flag_at] |= 1
            start += 4
    path = tmp_path / "subs.zip"
    path.write_bytes(bytes(raw))
    book = grade_class(mini.course, LAB, path, tmp_path / "out", mini.build)
    rows = {row["file"]: row for row in book.rows}
    assert rows["a.yaml"]["score"] == 7
    assert "unreadable zip member" in rows["b-corrupt.yaml"]["error"]
    assert "unreadable zip member" in rows["c.yaml"]["error"]


def test_fklab_grade_never_exits_70_on_hostile_submissions(mini, tmp_path, monkeypatch):
    from forensics_kit.cli.main import cli

    subs = tmp_path / "subs"
    subs.mkdir()
    for name, data in _hostile(mini).items():
        (subs / name).write_bytes(data)
    monkeypatch.setenv("FKLAB_HOME", str(mini.root))
    (mini.root / "datasets" / "manifest.json").write_text("{}", "utf-8")
    runs = [CliRunner().invoke(cli, ["grade", LAB, str(subs), "--out", str(tmp_path / "out"), "--json"]),
            CliRunner().invoke(cli, ["grade", LAB, str(subs), "--out", str(tmp_path / "out2")])]
    for result in runs:
        assert result.exit_code == 0, result.output
    assert json.loads(runs[0].output.splitlines()[-1])["submissions"] == len(_hostile(mini))


def test_a_submission_cannot_exceed_the_zip_member_cap_silently(tmp_path):
    from grader.submissions import read_submissions

    path = tmp_path / "many.zip"
    path.write_bytes(_zip({f"s{i:04d}.yaml": b"lab: x\n" for i in range(50)}))
    assert len(list(read_submissions(path))) == 50
    assert os.path.getsize(path) > 0


def test_a_file_name_that_is_not_utf8_gets_its_row(mini, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.yaml").write_bytes(_dump(mini.answers(None, "a")))
    bad = os.fsencode(str(subs)) + b"/\xff\xfe-bad.yaml"
    with open(bad, "wb") as stream:
        stream.write(b"lab: mini-01\nanswers: [\n")
    book = grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build)
    assert len(book.rows) == 2 and any(row["error"] for row in book.rows)
    (tmp_path / "out" / "gradebook.csv").read_text("utf-8")


def test_fklab_lab_check_on_hostile_answers_and_sealed_keys_never_exits_70(mini, tmp_path, monkeypatch):
    from forensics_kit.cli.main import cli
    from grader.key import load_key
    from grader.lab import load_lab
    from grader.sealed import seal_lab

    monkeypatch.setenv("FKLAB_HOME", str(mini.root))
    lab = load_lab(mini.root / "labs" / LAB)
    key = load_key(mini.root / "solutions" / LAB / "key.yaml", lab)
    sealed = mini.root / "solutions" / LAB / "sealed"
    sealed.mkdir(parents=True)
    document = seal_lab(lab, key, {LAB: mini.truths[None]}, None, b"secret", {})
    (sealed / "default.json").write_text(json.dumps(document), "utf-8")
    codes = []
    for name, data in _hostile(mini).items():
        if name == "o-list.yaml":
            continue  # a 60,000-item table to print: fklab grade covers it above
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["lab", "check", LAB, str(path), "--sealed"])
        codes.append((name, result.exit_code))
        if result.exit_code == 1:
            assert len(result.output.strip().splitlines()) == 1, (name, result.output)
    assert dict(codes)["a-right.yaml"] == 0
    for content in (b"[" * 100_000, b'{"format": "fklab-sealed-key/2", "lab": "mini-01", "kdf": 1}', b"\xff" * 10):
        (sealed / "default.json").write_bytes(content)
        result = CliRunner().invoke(cli, ["lab", "check", LAB, str(tmp_path / "a-right.yaml"), "--sealed"])
        codes.append(("sealed", result.exit_code))
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert all(code in (0, 1) for _, code in codes), codes


def test_fklab_grade_roster_option_lets_listed_variants_in(mini, tmp_path, monkeypatch):
    from forensics_kit.cli.main import cli

    monkeypatch.setenv("FKLAB_HOME", str(mini.root))
    (mini.root / "datasets" / "manifest.json").write_text("{}", "utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.yaml").write_bytes(_dump(mini.answers(None, "a")))
    (subs / "b.yaml").write_bytes(_dump(mini.answers(None, "b") | {"variant": "t-42"}))
    roster = tmp_path / "roster.csv"
    roster.write_text("variant,name\nt-01,Anna\n# comment\n", "utf-8")
    result = CliRunner().invoke(cli, ["grade", LAB, str(subs), "--out", str(tmp_path / "out"), "--roster",
                                      str(roster), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output.splitlines()[-1])["rows"]  # (this tiny course has no recipe to build from)
    assert "neither built nor in the roster" in rows[1]["error"]
    bad = tmp_path / "bad-roster.txt"
    bad.write_text("../../etc\n", "utf-8")
    result = CliRunner().invoke(cli, ["grade", LAB, str(subs), "--out", str(tmp_path / "out2"), "--roster", str(bad)])
    assert result.exit_code == 1 and "not a variant id" in result.output
