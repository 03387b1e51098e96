"""Writing a gradebook: CSV and JSON for machines, feedback per trainee and the class report.

Every file is rendered from values, so the same results give the same bytes,
and written atomically inside the gradebook folder only.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.analysis import question_stats
from grader.grade import LabResult
from grader.i18n import render
from grader.lab import Lab

if TYPE_CHECKING:
    from grader.gradebook import Gradebook

__all__ = ["atomic_write", "csv_text", "feedback_html", "feedback_markdown", "json_text", "slug", "write_gradebook"]


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write via a temporary file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise




def slug(text: str) -> str:
    """A safe file name for a trainee (no separators, no leading dot)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "trainee"
    return cleaned[:80]


def csv_text(book: Gradebook) -> str:
    """One row per submission, one column per question (points), errors and flags last."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "trainee", "name", "variant", "lang", "score", "max_score", "percent",
                     *book.question_ids, "hints_used", "hint_record", "flags", "error"])
    for row in book.rows:
        points = row.get("questions", {})
        writer.writerow([row["file"], row["trainee"] or "", row["name"] or "", row["variant"] or "", row["lang"] or "",
                         f"{row['score']:g}", f"{row['max_score']:g}", f"{row['percent']:g}",
                         *(f"{points[q]:g}" if q in points else "" for q in book.question_ids),
                         row["hints_used"], row["hint_record"], ";".join(row["flags"]), row["error"] or ""])
    return buffer.getvalue()


def json_text(book: Gradebook, lab: Lab, lang: str) -> str:
    """Summary, per-question statistics and every result (reasons in each trainee's language)."""
    document = {
        **book.summary(),
        "max_score": book.max_score,
        "lang": lang,
        "questions": [s.to_dict() for s in question_stats(book.results, book.question_ids)],
        "results": [r.to_dict(r_lang) for r, r_lang in zip(book.results, _langs(book), strict=True)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _langs(book: Gradebook) -> list[str]:
    return [row["lang"] for row in book.rows if not row["error"]]


def write_gradebook(book: Gradebook, lab: Lab, out_dir: Path, lang: str) -> None:
    """All the files of a class's gradebook, inside ``out_dir``."""
    from grader.report import report_html

    atomic_write(out_dir / "gradebook.csv", csv_text(book))
    atomic_write(out_dir / "gradebook.json", json_text(book, lab, lang))
    used: set[str] = set()
    graded = [row for row in book.rows if not row["error"]]
    for row, result in zip(graded, book.results, strict=True):
        name = slug(str(row["trainee"] or Path(row["file"]).stem))
        if name in used:
            name = slug(f"{name}-{Path(row['file']).stem}")
        used.add(name)
        row["feedback"] = f"feedback/{name}.md"
        atomic_write(out_dir / "feedback" / f"{name}.md", feedback_markdown(lab, result, row["lang"]))
        atomic_write(out_dir / "feedback" / f"{name}.html", feedback_html(lab, result, row["lang"]))
    atomic_write(out_dir / "report.html", report_html(book, lab, lang))


def _outcome(result_q: Any, lang: str) -> str:
    key = "pending" if result_q.pending else result_q.outcome.value
    return render(f"fb.{key}", lang)


def feedback_markdown(lab: Lab, result: LabResult, lang: str) -> str:
    """A trainee's feedback in their language: score, then each question with the reason."""
    title = lab.title.get(lang) or lab.title["en"]
    lines = [f"# {render('fb.title', lang, lab=lab.id, title=title)}", ""]
    who = result.trainee_name or result.trainee_id or ""
    if who:
        lines += [f"**{render('fb.trainee', lang)}:** {who}", ""]
    lines += [render("fb.score", lang, score=result.score, max=result.max_score, percent=round(result.percent)), ""]
    for warning in result.warnings:
        lines += [f"> {warning.render(lang)}", ""]
    lines += [f"| {render('fb.question', lang)} | {render('fb.result', lang)} | {render('fb.points', lang)} "
              f"| {render('fb.why', lang)} |", "| --- | --- | --- | --- |"]
    for q in result.questions:
        text = lab.question(q.id).text_in(lang).replace("|", "\\|")
        reason = q.reason.render(lang).replace("|", "\\|")
        lines.append(f"| {q.id}: {text} | {_outcome(q, lang)} | {q.points:g}/{q.max_points:g} | {reason} |")
    return "\n".join(lines) + "\n"


_FEEDBACK_CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1c2430}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #cfd6de;padding:.35rem .5rem;"
    "text-align:left;vertical-align:top}th{background:#eef2f6}.correct{color:#17703a}.partial{color:#9a6500}"
    ".wrong{color:#b3261e}.missing,.pending{color:#5f6b7a}.warn{background:#fff4d6;padding:.5rem;border-left:4px solid"
    " #e0a800}"
)


def feedback_html(lab: Lab, result: LabResult, lang: str) -> str:
    """The same feedback as a self-contained HTML page (no scripts, no external files)."""
    esc = html.escape
    title = esc(render("fb.title", lang, lab=lab.id, title=lab.title.get(lang) or lab.title["en"]))
    rows = "".join(
        f"<tr><td><b>{esc(q.id)}</b> {esc(lab.question(q.id).text_in(lang))}</td>"
        f"<td class=\"{'pending' if q.pending else q.outcome.value}\">{esc(_outcome(q, lang))}</td>"
        f"<td>{q.points:g}/{q.max_points:g}</td><td>{esc(q.reason.render(lang))}</td></tr>"
        for q in result.questions
    )
    warnings = "".join(f"<p class=\"warn\">{esc(w.render(lang))}</p>" for w in result.warnings)
    who = esc(result.trainee_name or result.trainee_id or "")
    return (
        f"<!DOCTYPE html><html lang=\"{esc(lang)}\"><head><meta charset=\"utf-8\"><title>{title}</title>"
        f"<style>{_FEEDBACK_CSS}</style></head><body><h1>{title}</h1>"
        + (f"<p><b>{esc(render('fb.trainee', lang))}:</b> {who}</p>" if who else "")
        + f"<p>{esc(render('fb.score', lang, score=result.score, max=result.max_score, percent=round(result.percent)))}"
        f"</p>{warnings}<table><tr><th>{esc(render('fb.question', lang))}</th><th>{esc(render('fb.result', lang))}"
        f"</th><th>{esc(render('fb.points', lang))}</th><th>{esc(render('fb.why', lang))}</th></tr>{rows}</table>"
        "</body></html>\n"
    )
