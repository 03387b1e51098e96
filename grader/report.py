"""``report.html``: one self-contained page an instructor reads at a glance.

No network, no scripts: inline CSS and inline SVG only, so it opens from a USB
stick in any browser. Shows the score distribution, each question's success
rate, discrimination index, hints taken and commonest wrong answers (as trainees
wrote them), every trainee in one table with those who need help first (could not be
graded, then lowest score), flags for copied or identical wrong answers and edited hint
records, and the submissions that could not be graded. Item statistics of a class under
:data:`SMALL_CLASS` trainees carry a caution.
"""

from __future__ import annotations

import html
import statistics
from typing import TYPE_CHECKING

from grader.analysis import question_stats, score_histogram
from grader.error_language import to_language
from grader.i18n import render
from grader.lab import Lab
from grader.page_style import CSS

if TYPE_CHECKING:
    from grader.gradebook import Gradebook

__all__ = ["SMALL_CLASS", "histogram_svg", "needs_help_order", "report_html"]

#: Below this many graded trainees a success rate or discrimination index moves a lot with one trainee.
SMALL_CLASS = 20
#: A trainee under this percentage is marked as needing help.
HELP_BELOW = 50


def _e(text: object) -> str:
    return html.escape(str(text))


def histogram_svg(counts: list[int], width: int = 640, height: int = 220) -> str:
    """Bars of ``counts`` over 0-100% in equal bands, with axis labels."""
    top = max(counts) or 1
    pad, base = 30, height - 30
    bar = (width - 2 * pad) / len(counts)
    parts = [f'<svg class="hist" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" fill="#f7f9fb"/>'
             f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#5f6b7a"/>']
    for i, count in enumerate(counts):
        h = (base - 20) * count / top
        x = pad + i * bar
        parts.append(f'<rect x="{x + 2:.1f}" y="{base - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" '
                     f'fill="#2f6db5"><title>{count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{i * 100 // len(counts)}%</text>')
    parts.append(f'<text x="{width - pad:.1f}" y="{base + 16}" text-anchor="middle">100%</text></svg>')
    return "".join(parts)


def _bar(share: float) -> str:
    width = round(120 * max(0.0, min(1.0, share)))
    colour = "#17703a" if share >= 0.7 else "#c88a00" if share >= 0.4 else "#b3261e"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="124" height="14"><rect width="124" height="14" '
            f'fill="#e6ebf0"/><rect x="2" y="2" width="{width}" height="10" fill="{colour}"/></svg>')


def needs_help_order(rows: list[dict]) -> list[dict]:
    """Rows with those who need help first: not graded, then lowest score, more hints, then by name."""
    return sorted(rows, key=lambda r: (not r["error"], r["percent"] if not r["error"] else 0.0,
                                       -(r.get("hints_used") or 0), str(r["trainee"] or r["file"])))


def _flag_notes(row: dict, t) -> list[str]:
    notes = []
    for flag in row.get("flags") or []:
        if flag == "hints_tampered":
            notes.append(t("rep.flag_tampered"))
        elif flag.startswith("identical_wrong:"):
            notes.append(t("rep.flag_identical", others=flag.split(":", 1)[1].replace(",", ", ")))
        elif flag.startswith("identical_wrong_set:"):
            notes.append(t("rep.flag_same_set", others=flag.split(":", 1)[1].replace(",", ", ")))
        elif flag.startswith("matches_variant:"):
            _, variant, qids = flag.split(":", 2)
            notes.append(t("rep.flag_variant", variant=variant, questions=qids.replace("+", ", ")))
    return notes


def _trainee_table(book: Gradebook, t, lang: str) -> list[str]:
    out = [f"<h2>{t('rep.trainee_table')}</h2><div class=\"scroll\"><table><tr><th>{t('rep.col_name')}</th>"
           f"<th>{t('rep.col_id')}</th><th>{t('rep.col_variant')}</th><th>{t('rep.col_score')}</th>"
           f"<th>{t('rep.hints')}</th><th>{t('rep.col_submitted')}</th><th>{t('rep.col_flags')}</th></tr>"]
    for row in needs_help_order(book.rows):
        help_class = ' class="help"' if row["error"] or row["percent"] < HELP_BELOW else ""
        score = (f"<span class=\"low\">{t('rep.not_graded')}</span>" if row["error"] else
                 f"{row['score']:.4g}/{row['max_score']:.4g} ({row['percent']:.0f}%)")
        notes = "; ".join(_flag_notes(row, t)) or ("–" if not row["error"] else _e(to_language(row["error"], lang)))
        out.append(f"<tr{help_class}><td>{_e(row.get('name') or '–')}</td><td>{_e(row['trainee'] or row['file'])}"
                   f"</td><td>{_e(row.get('variant') or 'default')}</td><td class=\"num\">{score}</td>"
                   f"<td class=\"num\">{row.get('hints_used') or 0}</td><td>{_e(row.get('submitted') or '–')}</td>"
                   f"<td class=\"flag\">{notes}</td></tr>")
    out.append("</table></div>")
    return out


def report_html(book: Gradebook, lab: Lab, lang: str) -> str:
    """The class report for ``book`` in ``lang`` (deterministic: same results, same bytes)."""
    t = lambda key, **kw: _e(render(key, lang, **kw))  # noqa: E731 - local shorthand
    percents = [r.percent for r in book.results]
    mean = round(statistics.fmean(percents)) if percents else 0
    median = round(statistics.median(percents)) if percents else 0
    title = t("rep.title", lab=lab.id, title=lab.title.get(lang) or lab.title["en"])
    out = [f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
           f"<style>{CSS}</style></head><body><h1>{title}</h1>",
           "<p>" + t("rep.overview", graded=len(book.results), submissions=len(book.rows),
                     errors=sum(1 for r in book.rows if r["error"]), mean=mean, median=median) + "</p>",
           f"<h2>{t('rep.distribution')}</h2>", histogram_svg(score_histogram(percents))]
    out += _trainee_table(book, t, lang)
    out.append(f"<h2>{t('rep.questions')}</h2>")
    graded = len(book.results)
    if graded < SMALL_CLASS:
        caution = t("rep.small_sample", n=graded, step=round(100 / max(1, graded)), minimum=SMALL_CLASS)
        out.append(f'<p class="note">{caution}</p>')
    out.append(f"<div class=\"scroll\"><table><tr><th>{t('fb.question')}</th><th>{t('rep.success')}</th>"
               f"<th>{t('rep.discrimination')}</th><th>{t('rep.hints')}</th><th>{t('rep.common_wrong')}</th></tr>")
    for stats in question_stats(book.results, book.question_ids):
        text = lab.question(stats.id).text_in(lang)
        d = stats.discrimination
        d_cell = "–" if d is None else f"{d:+.2f}"
        if d is not None and d < 0.2:
            d_cell = f'<span class="low" title="{t("rep.low_discrimination")}">{d_cell}</span>'
        wrong = "<br>".join(f"<code>{_e(a[:80])}</code> × {c}" for a, c in stats.common_wrong) or "–"
        out.append(f"<tr><td><b>{_e(stats.id)}</b> {_e(text)}</td><td class=\"num\">{_bar(stats.success_rate)} "
                   f"{stats.success_rate:.0%}</td><td class=\"num\">{d_cell}</td><td class=\"num\">"
                   f"{stats.hints_taken}</td><td>{wrong}</td></tr>")
    out.append("</table></div>")
    out.append(f"<h2>{t('rep.flags')}</h2>")
    flagged = [row for row in book.rows if row.get("flags")]
    if flagged:
        out.append("<ul>")
        for row in flagged:
            notes = "; ".join(_flag_notes(row, t))
            out.append(f'<li class="flag"><b>{_e(row["trainee"] or row["file"])}</b>: {notes}</li>')
        out.append("</ul>")
    else:
        out.append(f"<p>{t('rep.no_flags')}</p>")
    errors = [row for row in book.rows if row["error"]]
    if errors:
        out.append(f"<h2>{t('rep.errors')}</h2><div class=\"scroll\"><table><tr><th>{t('rep.file')}</th>"
                   f"<th>{t('rep.error')}</th></tr>")
        out.extend(f"<tr><td>{_e(row['file'])}</td><td>{_e(to_language(row['error'], lang))}</td></tr>"
                   for row in errors)
        out.append("</table></div>")
    out.append("</body></html>\n")
    return "\n".join(out)
