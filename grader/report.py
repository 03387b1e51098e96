"""``report.html``: one self-contained page an instructor reads at a glance.

No network, no scripts: inline CSS and inline SVG only, so it opens from a USB
stick in any browser. Shows the score distribution, each question's success
rate, discrimination index, hints taken and commonest wrong answers, trainees
flagged for identical rare wrong answers or an edited hint record, and the
submissions that could not be graded.
"""

from __future__ import annotations

import html
import statistics
from typing import TYPE_CHECKING

from grader.analysis import question_stats, score_histogram
from grader.i18n import render
from grader.lab import Lab

if TYPE_CHECKING:
    from grader.gradebook import Gradebook

__all__ = ["histogram_svg", "report_html"]

_CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1c2430;background:#fff}"
    "h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:2px solid #dde3ea}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #cfd6de;padding:.3rem .5rem;text-align:left;"
    "vertical-align:top}th{background:#eef2f6}.num{text-align:right;white-space:nowrap}.low{color:#b3261e}"
    ".flag{color:#9a3412}svg text{font:12px system-ui,sans-serif;fill:#1c2430}"
)


def _e(text: object) -> str:
    return html.escape(str(text))


def histogram_svg(counts: list[int], width: int = 640, height: int = 220) -> str:
    """Bars of ``counts`` over 0-100% in equal bands, with axis labels."""
    top = max(counts) or 1
    pad, base = 30, height - 30
    bar = (width - 2 * pad) / len(counts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
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


def report_html(book: Gradebook, lab: Lab, lang: str) -> str:
    """The class report for ``book`` in ``lang`` (deterministic: same results, same bytes)."""
    t = lambda key, **kw: _e(render(key, lang, **kw))  # noqa: E731 - local shorthand
    percents = [r.percent for r in book.results]
    mean = round(statistics.fmean(percents)) if percents else 0
    median = round(statistics.median(percents)) if percents else 0
    title = t("rep.title", lab=lab.id, title=lab.title.get(lang) or lab.title["en"])
    out = [f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
           f"<style>{_CSS}</style></head><body><h1>{title}</h1>",
           "<p>" + t("rep.overview", graded=len(book.results), submissions=len(book.rows),
                     errors=sum(1 for r in book.rows if r["error"]), mean=mean, median=median) + "</p>",
           f"<h2>{t('rep.distribution')}</h2>", histogram_svg(score_histogram(percents))]
    out.append(f"<h2>{t('rep.questions')}</h2><table><tr><th>{t('fb.question')}</th><th>{t('rep.success')}</th>"
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
    out.append("</table>")
    out.append(f"<h2>{t('rep.flags')}</h2>")
    flagged = [row for row in book.rows if row.get("flags")]
    if flagged:
        out.append("<ul>")
        for row in flagged:
            notes = []
            for flag in row["flags"]:
                if flag == "hints_tampered":
                    notes.append(t("rep.flag_tampered"))
                elif flag.startswith("identical_wrong:"):
                    notes.append(t("rep.flag_identical", others=flag.split(":", 1)[1].replace(",", ", ")))
                elif flag.startswith("identical_wrong_set:"):
                    notes.append(t("rep.flag_same_set", others=flag.split(":", 1)[1].replace(",", ", ")))
                elif flag.startswith("matches_variant:"):
                    _, variant, qids = flag.split(":", 2)
                    notes.append(t("rep.flag_variant", variant=variant, questions=qids.replace("+", ", ")))
            out.append(f'<li class="flag"><b>{_e(row["trainee"] or row["file"])}</b>: {"; ".join(notes)}</li>')
        out.append("</ul>")
    else:
        out.append(f"<p>{t('rep.no_flags')}</p>")
    errors = [row for row in book.rows if row["error"]]
    if errors:
        out.append(f"<h2>{t('rep.errors')}</h2><table><tr><th>{t('rep.file')}</th><th>{t('rep.error')}</th></tr>")
        out.extend(f"<tr><td>{_e(row['file'])}</td><td>{_e(row['error'])}</td></tr>" for row in errors)
        out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out)
