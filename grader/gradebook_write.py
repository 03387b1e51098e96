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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.analysis import question_stats
from grader.errors import GraderError
from grader.feedback import apply_level
from grader.grade import LabResult, QuestionResult
from grader.i18n import points_text, render
from grader.lab import Lab
from grader.page_style import CSS

if TYPE_CHECKING:
    from grader.gradebook import Gradebook

__all__ = ["atomic_write", "csv_text", "feedback_html", "feedback_markdown", "json_text", "slug", "write_gradebook"]


def check_output_dir(out_dir: Path) -> None:
    """Refuse an output folder that is (or has inside it) a symbolic link where we write.

    Output written through a link could land anywhere (``feedback -> /etc``); a link is never
    followed, whether it is ``--out`` itself or ``feedback/`` inside it.
    """
    for folder in (out_dir, out_dir / "feedback"):
        if folder.is_symlink():
            raise GraderError(f"{folder}: is a symbolic link: refusing to write through it")
        if folder.exists() and not folder.is_dir():
            raise GraderError(f"{folder}: exists and is not a folder")


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write via a temporary file in the same folder, then rename: never a half-written file.

    The folder must not be a symbolic link, and a link at ``path`` itself is replaced, not followed.
    """
    if path.parent.is_symlink():
        raise GraderError(f"{path.parent}: is a symbolic link: refusing to write through it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise




_RESERVED = re.compile(r"(?i)^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)(?:\..*)?$")


def slug(text: str) -> str:
    """A safe file name for a trainee: no separators, no leading dot, no Windows device name (``CON`` -> ``_CON``)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._ ") or "trainee"
    cleaned = cleaned[:80].rstrip(". ") or "trainee"
    return "_" + cleaned if _RESERVED.match(cleaned) else cleaned


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: formula starts (= + - @ tab CR) get a leading ``'``."""
    text = "" if value is None else str(value)
    text = text.replace("\x00", "\ufffd")
    return "'" + text if text.startswith(_FORMULA) else text


def csv_text(book: Gradebook) -> str:
    """One row per submission, one column per question (points), then copy matches, flags and errors."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "trainee", "name", "variant", "lang", "score", "max_score", "percent",
                     *book.question_ids, "hints_used", "hint_record", "matches_other_variant", "flags", "error"])
    for row in book.rows:
        points = row.get("questions", {})
        matches = ";".join(f"{q}={v}" for q, v in sorted((row.get("matches") or {}).items()))
        writer.writerow([cell(row["file"]), cell(row["trainee"]), cell(row["name"]), cell(row["variant"]),
                         cell(row["lang"]), f"{row['score']:g}", f"{row['max_score']:g}", f"{row['percent']:g}",
                         *(f"{points[q]:g}" if q in points else "" for q in book.question_ids),
                         row["hints_used"], row["hint_record"], cell(matches), cell(";".join(row["flags"])),
                         cell(row["error"])])
    return buffer.getvalue()


def json_text(book: Gradebook, lab: Lab, lang: str) -> str:
    """Summary, per-question statistics and every result (reasons in each trainee's language)."""
    document = {
        **book.summary(),
        "max_score": book.max_score,
        "lang": lang,
        "questions": [s.to_dict() for s in question_stats(book.results, book.question_ids)],
        "results": [_result_dict(r, row) for r, row in zip(book.results, _graded(book), strict=True)],
    }
    # Indented for a class a person reads; a large class in one line per result, with json's C encoder
    # (indenting forces the pure-Python one, the slowest step of a 5,000-submission class).
    if len(book.results) <= 200:
        return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    results = document.pop("results")
    head = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    lines = ",\n".join("    " + json.dumps(r, ensure_ascii=False, sort_keys=False) for r in results)
    return head[:-2] + ',\n  "results": [\n' + lines + "\n  ]\n}\n"


def _graded(book: Gradebook) -> list[dict[str, Any]]:
    return [row for row in book.rows if not row["error"]]


def _result_dict(result: LabResult, row: dict[str, Any]) -> dict[str, Any]:
    """A result in its trainee's language, each question noting the other variant its answer matches."""
    document = result.to_dict(row["lang"])
    matches = row.get("matches") or {}
    for question in document["questions"]:
        if question["id"] in matches:
            question["matches_variant"] = matches[question["id"]]
    return document


def write_gradebook(book: Gradebook, lab: Lab, out_dir: Path, lang: str) -> None:
    """All the files of a class's gradebook, inside ``out_dir``."""
    from grader.report import report_html

    check_output_dir(out_dir)
    atomic_write(out_dir / "gradebook.csv", csv_text(book))
    atomic_write(out_dir / "gradebook.json", json_text(book, lab, lang))
    used: set[str] = set()
    graded = [row for row in book.rows if not row["error"]]
    with ThreadPoolExecutor(max_workers=4) as pool:  # file creation is the slow part of a big class: overlap it
        writes = _feedback(book, lab, out_dir, graded, used, pool)
        for write in writes:
            write.result()
    atomic_write(out_dir / "report.html", report_html(book, lab, lang))


def _feedback(book: Gradebook, lab: Lab, out_dir: Path, graded: list[dict[str, Any]], used: set[str],
              pool: ThreadPoolExecutor) -> list[Any]:
    """Render each trainee's feedback pages (in order, so names are deterministic) and queue their writing."""
    writes = []
    (out_dir / "feedback").mkdir(parents=True, exist_ok=True)
    check_output_dir(out_dir)
    for row, result in zip(graded, book.results, strict=True):
        name = slug(str(row["trainee"] or Path(row["file"]).stem))
        if name in used:
            name = slug(f"{name}-{Path(row['file']).stem}")
        used.add(name)
        row["feedback"] = f"feedback/{name}.md"
        shown = apply_level(result, lab.feedback)  # the trainee sees what the lab's feedback level allows
        writes.append(pool.submit(atomic_write, out_dir / "feedback" / f"{name}.md",
                                  feedback_markdown(lab, shown, row["lang"])))
        writes.append(pool.submit(atomic_write, out_dir / "feedback" / f"{name}.html",
                                  feedback_html(lab, shown, row["lang"])))
    return writes


def _outcome(result_q: Any, lang: str) -> str:
    key = "pending" if result_q.pending else result_q.outcome.value
    return render(f"fb.{key}", lang)


def _points(q: QuestionResult, lang: str) -> str:
    return f"{points_text(q.points, lang)}/{points_text(q.max_points, lang)}"


def _score(result: LabResult) -> dict[str, float]:
    """The score line's values, rounded as a trainee reads them (0.67 of 2, not 0.666667)."""
    return {"score": round(result.score, 2), "max": round(result.max_score, 2), "percent": round(result.percent)}


def feedback_markdown(lab: Lab, result: LabResult, lang: str) -> str:
    """A trainee's feedback in their language: score, then each question with the reason."""
    title = lab.title.get(lang) or lab.title["en"]
    lines = [f"# {render('fb.title', lang, lab=lab.id, title=title)}", ""]
    who = result.trainee_name or result.trainee_id or ""
    if who:
        lines += [f"**{render('fb.trainee', lang)}:** {who}", ""]
    lines += [render("fb.score", lang, **_score(result)), ""]
    for warning in result.warnings:
        lines += [f"> {warning.render(lang)}", ""]
    lines += [f"| {render('fb.question', lang)} | {render('fb.result', lang)} | {render('fb.points', lang)} "
              f"| {render('fb.why', lang)} |", "| --- | --- | --- | --- |"]
    for q in result.questions:
        text = lab.question(q.id).text_in(lang).replace("|", "\\|")
        reason = q.reason.render(lang).replace("|", "\\|")
        lines.append(f"| {q.id}: {text} | {_outcome(q, lang)} | {_points(q, lang)} | {reason} |")
    return "\n".join(lines) + "\n"


def feedback_html(lab: Lab, result: LabResult, lang: str) -> str:
    """The same feedback as a self-contained HTML page (no scripts, no external files)."""
    esc = html.escape
    title = esc(render("fb.title", lang, lab=lab.id, title=lab.title.get(lang) or lab.title["en"]))
    rows = "".join(
        f"<tr><td><b>{esc(q.id)}</b> {esc(lab.question(q.id).text_in(lang))}</td>"
        f"<td class=\"{'pending' if q.pending else q.outcome.value}\">{esc(_outcome(q, lang))}</td>"
        f"<td>{_points(q, lang)}</td><td>{esc(q.reason.render(lang))}</td></tr>"
        for q in result.questions
    )
    warnings = "".join(f"<p class=\"warn\">{esc(w.render(lang))}</p>" for w in result.warnings)
    who = esc(result.trainee_name or result.trainee_id or "")
    return (
        f"<!DOCTYPE html><html lang=\"{esc(lang)}\"><head><meta charset=\"utf-8\"><title>{title}</title>"
        f"<style>{CSS}</style></head><body><h1>{title}</h1>"
        + (f"<p><b>{esc(render('fb.trainee', lang))}:</b> {who}</p>" if who else "")
        + f"<p>{esc(render('fb.score', lang, score=result.score, max=result.max_score, percent=round(result.percent)))}"
        f"</p>{warnings}<table><tr><th>{esc(render('fb.question', lang))}</th><th>{esc(render('fb.result', lang))}"
        f"</th><th>{esc(render('fb.points', lang))}</th><th>{esc(render('fb.why', lang))}</th></tr>{rows}</table>"
        "</body></html>\n"
    )
