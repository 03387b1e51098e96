"""``report.html`` renders in headless Chromium (no network) and is not blank; it holds every section."""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from grader.gradebook import Gradebook
from grader.report import histogram_svg, report_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _png_pixel_variety(png: bytes) -> int:
    """Distinct byte values in the decompressed image rows (a blank page has a handful)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, pos = b"", 8
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        kind = png[pos + 4:pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data)[::7]))


def test_histogram_svg_has_a_bar_per_band():
    svg = histogram_svg([0, 1, 2, 0, 0, 0, 0, 0, 3, 4])
    assert svg.count("<rect") == 11 and svg.startswith("<svg")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_report_opens_in_headless_chromium_and_is_not_blank(test_course, build, tmp_path: Path):
    import yaml

    from grader.gradebook import grade_class
    from grader.workflow import run_solver, solution_document

    subs = tmp_path / "subs"
    subs.mkdir()
    document = solution_document(*run_solver(test_course, "net-01", None, build))
    for i in range(6):
        answers = dict(document["answers"])
        for qid in list(answers)[:i]:
            answers[qid] = f"w{i}"
        (subs / f"t{i}.yaml").write_text(yaml.safe_dump({**document, "trainee": {"id": f"t{i}"}, "answers": answers}))
    (subs / "bad.yaml").write_text("not: [valid")
    grade_class(test_course, "net-01", subs, tmp_path / "out", build, lang="ru")
    report = tmp_path / "out" / "report.html"
    text = report.read_text("utf-8")
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "<script" not in text
    for needle in ("Распределение баллов", "Дискриминативность", "Самые частые неверные ответы", "bad.yaml"):
        assert needle in text
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,1600",
                    report.as_uri()], check=False, capture_output=True, timeout=90)
    assert shot.exists(), "chromium wrote no screenshot"
    assert _png_pixel_variety(shot.read_bytes()) > 20


def test_report_of_an_empty_class_still_renders():
    from grader.lab import Lab

    lab = Lab("x", Path("labs/x/lab.yaml"), {"en": "X"}, {"en": "x"}, "beginner", 5, (), ())
    text = report_html(Gradebook("x", []), lab, "en")
    assert "0 graded of 0" in text and text.endswith("</html>\n")
