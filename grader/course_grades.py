"""Grading a whole course: every lab's submissions, then one line per trainee across labs.

``SUBMISSIONS_ROOT`` holds a folder (or ``.zip``) per lab named by the lab id,
or answers files whose names contain the lab id (``t-07.disk-01.yaml``). Each
lab gets its own gradebook folder; the course gradebook sums each trainee's
scores over the labs.
"""

from __future__ import annotations

import csv
import html
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from grader.course import Course
from grader.errors import GraderError
from grader.gradebook import Gradebook, grade_class
from grader.gradebook_write import atomic_write, cell, check_output_dir
from grader.i18n import render
from grader.lab import list_labs
from grader.page_style import CSS
from grader.workflow import BuildFn

__all__ = ["grade_course"]


def _sources(root: Path, lab_id: str, scratch: Path) -> Path | None:
    """The lab's submissions under ``root``: its folder or zip, or the files named after it (copied)."""
    for candidate in (root / lab_id, root / f"{lab_id}.zip"):
        if candidate.exists():
            return candidate
    files = sorted(p for p in root.iterdir() if p.is_file() and lab_id in p.name
                   and p.suffix.lower() in (".yaml", ".yml", ".json"))
    if not files:
        return None
    folder = scratch / lab_id
    folder.mkdir()
    for path in files:
        (folder / path.name).write_bytes(path.read_bytes()[: (1 << 20) + 1])
    return folder


def grade_course(course: Course, root: Path, out_dir: Path, build: BuildFn, lang: str = "en",
                 roster: list[str] | None = None) -> dict[str, Any]:
    """Grade every lab found under ``root`` into ``out_dir/<lab>/`` and write the course gradebook."""
    root, out_dir = Path(root), Path(out_dir)
    if not root.is_dir():
        raise GraderError(f"{root}: the course submissions must be a folder")
    check_output_dir(out_dir)
    books: dict[str, Gradebook] = {}
    with tempfile.TemporaryDirectory(prefix="fklab-course-") as scratch:
        for lab in list_labs(course.labs):
            source = _sources(root, lab.id, Path(scratch))
            if source is not None:
                books[lab.id] = grade_class(course, lab.id, source, out_dir / lab.id, build, lang, roster)
    if not books:
        raise GraderError(f"{root}: no submissions for any lab (expected a folder per lab, or files named by lab)")
    trainees: dict[str, dict[str, Any]] = {}
    for lab_id, book in books.items():
        for row in book.rows:
            who = str(row["trainee"] or row["file"])
            entry = trainees.setdefault(who, {"trainee": who, "name": row["name"], "labs": {}, "flags": [],
                                              "not_graded": []})
            if row["error"]:  # handed in but unreadable: not the same as not handed in, nor as 0
                entry["not_graded"].append(lab_id)
                continue
            entry["name"] = entry["name"] or row["name"]
            entry["labs"][lab_id] = row["score"]
            entry["flags"] += [f"{lab_id}:{flag}" for flag in row["flags"]]
    maxima = {lab_id: book.max_score for lab_id, book in books.items()}
    for entry in trainees.values():
        entry["score"] = round(sum(entry["labs"].values()), 4)
        entry["max_score"] = sum(maxima.values())
        entry["percent"] = round(100 * entry["score"] / entry["max_score"], 2) if entry["max_score"] else 0.0
    rows = [trainees[k] for k in sorted(trainees)]
    document = {"labs": maxima, "trainees": rows}
    atomic_write(out_dir / "course.json", json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    atomic_write(out_dir / "course.csv", _csv(rows, list(maxima)))
    atomic_write(out_dir / "course.html", _html(rows, maxima, lang))
    return document


def _csv(rows: list[dict[str, Any]], labs: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["trainee", "name", *labs, "score", "max_score", "percent", "flags"])
    for row in rows:
        writer.writerow([cell(row["trainee"]), cell(row["name"]),
                         *(f"{row['labs'][lab]:g}" if lab in row["labs"] else "" for lab in labs),
                         f"{row['score']:g}", f"{row['max_score']:g}", f"{row['percent']:g}",
                         cell(";".join(row["flags"]))])
    return buffer.getvalue()


def _lab_cell(row: dict[str, Any], lab: str, lang: str) -> str:
    """A trainee's score on one lab; 'not submitted' and 'not graded' are shown apart from a 0."""
    if lab in row["labs"]:
        return f'<td class="num">{row["labs"][lab]:.4g}</td>'
    if lab in row.get("not_graded", []):
        return f'<td class="wrong">{html.escape(render("rep.not_graded", lang))}</td>'
    return f'<td class="absent">{html.escape(render("rep.not_submitted", lang))}</td>'


def _html(rows: list[dict[str, Any]], maxima: dict[str, float], lang: str) -> str:
    e = html.escape
    head = "".join(f'<th><a href="{e(lab)}/report.html">{e(lab)}</a> /{m:g}</th>' for lab, m in maxima.items())
    body = "".join(
        f"<tr><td>{e(r['trainee'])}</td><td>{e(r['name'] or '')}</td>"
        + "".join(_lab_cell(r, lab, lang) for lab in maxima)
        + f"<td class=\"num\"><b>{r['percent']:.4g}%</b></td><td class=\"flag\">{e('; '.join(r['flags']))}</td></tr>"
        for r in rows
    )
    title = e(render("rep.course", lang))
    note = e(render("rep.course_note", lang))
    return (f'<!DOCTYPE html><html lang="{e(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{CSS}</style></head><body><h1>{title}</h1><p>{note}</p><div class=\"scroll\"><table><tr>"
            f"<th>{e(render('rep.col_id', lang))}</th><th>{e(render('rep.col_name', lang))}</th>{head}<th>%</th>"
            f"<th>{e(render('rep.col_flags', lang))}</th></tr>{body}</table></div></body></html>\n")
