"""The instructor's and trainee's pages fit the screen: nothing overflows its section in Chromium.

The class report, the course view and a feedback page are rendered by headless Chromium at
1400 and 800 px, in English and Russian, with a class whose answers hold the long values a
real class types (64-digit hashes, paths without spaces, long Russian words). A test copy of
each page gets a script that measures every element; the pages themselves have no script.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from grader.course_grades import grade_course
from grader.report import needs_help_order
from grader.workflow import run_solver, solution_document

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAB = "net-01"

# Marks every element whose content is wider than its box (a cell, a heading) or which sticks
# out of the page; a ".scroll" box may scroll sideways on purpose.
_PROBE = """<script>
const bad = [];
const page = document.documentElement.clientWidth;
for (const el of document.querySelectorAll("body *")) {
  if (el.closest(".scroll") && !["TD", "TH"].includes(el.tagName)) continue;
  const box = el.getBoundingClientRect();
  const name = el.tagName + (el.className ? "." + el.className : "") + ": " + (el.textContent || "").slice(0, 40);
  if (["TD", "TH", "H1", "H2", "P", "LI", "CODE"].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1
      && getComputedStyle(el).display !== "inline") bad.push("content wider than its box: " + name);
  if (box.right > page + 1) bad.push("outside the page: " + name);
}
if (document.documentElement.scrollWidth > page + 1) bad.push("the page scrolls sideways");
document.title = "PROBE" + JSON.stringify(bad);
</script>"""


@pytest.fixture(scope="module")
def pages(test_course, build, tmp_path_factory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("pages")
    document = solution_document(*run_solver(test_course, LAB, None, build))
    subs = root / "subs" / LAB
    subs.mkdir(parents=True)
    long_values = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" * 2,
                   "/home/sergey/.local/share/Trash/files/" + "очень_длинное_имя_файла_без_пробелов" * 3,
                   "ПротоколОсмотраВещественногоДоказательстваНомерДвадцатьСемь" * 2]
    for i in range(6):
        answers = dict(document["answers"])
        for n, qid in enumerate(list(answers)[:i]):
            answers[qid] = long_values[n % len(long_values)]
        trainee = {"id": f"t-{i:02d}", "name": "Александра Константиновна Преображенская-Воскресенская" if i else "Ann"}
        (subs / f"t-{i:02d}.yaml").write_text(yaml.safe_dump({**document, "trainee": trainee, "answers": answers},
                                                             allow_unicode=True), "utf-8")
    (subs / ("x" * 120 + ".yaml")).write_text("not: [valid", "utf-8")
    out: dict[str, dict[str, Path]] = {}
    for lang in ("en", "ru"):
        folder = root / f"out-{lang}"
        grade_course(test_course, root / "subs", folder, build, lang=lang)
        feedback = sorted((folder / LAB / "feedback").glob("*.html"))[-1]
        out[lang] = {"report": folder / LAB / "report.html", "course": folder / "course.html", "feedback": feedback}
    return out


def _overflows(page: Path, width: int, scratch: Path) -> list[str]:
    probe = scratch / f"probe-{width}-{page.name}"
    probe.write_text(page.read_text("utf-8").replace("</body>", _PROBE + "</body>"), "utf-8")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={scratch / 'profile'}", f"--window-size={width},1200", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=90, check=False)
    found = re.search(r"<title>PROBE(.*?)</title>", proc.stdout, re.S)
    assert found, f"chromium did not run the probe: {proc.stderr[-500:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                      .replace("&gt;", ">"))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
@pytest.mark.parametrize("width", [1400, 800])
@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("which", ["report", "course", "feedback"])
def test_no_element_overflows_its_section(pages, which, lang, width, tmp_path):
    assert _overflows(pages[lang][which], width, tmp_path) == []


def test_report_lists_every_trainee_with_those_who_need_help_first(pages):
    text = pages["ru"]["report"].read_text("utf-8")
    table = text[text.index("Слушатели (сначала те, кому нужна помощь)"):text.index("<h2>Вопросы")]
    order = re.findall(r"<td>(t-\d\d|x+\.yaml)</td>", table)
    assert order[0].startswith("xxx") and order[1:] == ["t-05", "t-04", "t-03", "t-02", "t-01", "t-00"]
    assert 'class="help"' in table and "не оценено" in table
    assert "Оценено всего 6 слушателей" in text  # the small-class caution


def test_common_wrong_answers_keep_the_case_trainees_wrote():
    from grader.analysis import question_stats
    from grader.checkers import Outcome
    from grader.grade import LabResult, QuestionResult
    from grader.i18n import Message

    def result(who: str, given: str) -> LabResult:
        q = QuestionResult("q1", Outcome.WRONG, 0.0, 1.0, Message("x"), given=given)
        return LabResult("x", None, who, None, (q,))

    stats = question_stats([result("a", "GMaier"), result("b", "gmaier"), result("c", "GMaier")], ["q1"])
    assert stats[0].common_wrong == [("GMaier", 3)]


def test_course_view_tells_not_submitted_from_zero_and_links_each_report(pages):
    text = pages["en"]["course"].read_text("utf-8")
    assert f'<a href="{LAB}/report.html">{LAB}</a>' in text
    assert "not graded" in text  # the unreadable file
    assert needs_help_order([{"error": None, "percent": 90.0, "trainee": "a", "file": "a"},
                             {"error": "bad", "percent": 0.0, "trainee": None, "file": "z"},
                             {"error": None, "percent": 10.0, "trainee": "b", "file": "b"}])[0]["file"] == "z"


def test_report_says_when_each_file_was_handed_in(pages):
    text = pages["en"]["report"].read_text("utf-8")
    assert "<th>Handed in</th>" in text
    assert re.search(r"<td>20\d\d-\d\d-\d\d \d\d:\d\d UTC</td>", text)


def test_zip_members_keep_their_stored_time_without_claiming_a_zone(tmp_path):
    import zipfile as zf

    from grader.submissions import read_submissions

    path = tmp_path / "class.zip"
    with zf.ZipFile(path, "w") as archive:
        archive.writestr(zf.ZipInfo("t-01.yaml", date_time=(2026, 12, 3, 10, 15, 0)), "lab: net-01\n")
    (one,) = read_submissions(path)
    assert one.submitted == "2026-12-03 10:15"


def test_rows_that_could_not_be_graded_are_explained_in_the_reports_language(pages):
    english = pages["en"]["report"].read_text("utf-8")
    text = pages["ru"]["report"].read_text("utf-8")
    assert "not valid YAML" in english[english.index("Submissions that could not be graded"):]
    errors = text[text.index("Работы, которые не удалось проверить"):]
    assert "not valid YAML" not in errors and "YAML" in errors
