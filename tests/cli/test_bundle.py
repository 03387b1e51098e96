"""The trainee bundle: labs, evidence, sealed keys and wheels for a laptop with no network; no answer."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from grader.bundle import BundleError, NoCourseSecret, make_bundle, read_roster
from grader.key import resolve
from grader.wheelhouse import Target, build_wheelhouse, current_target
from grader.workflow import lab_key, open_lab, run_solver

REPO = Path(__file__).resolve().parents[2]
LABS = ("disk-01", "net-01")


@pytest.fixture(scope="module")
def bundle(test_course, build, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "course"
    return make_bundle(test_course, out, build, ["trainee-a"], labs=LABS, allow_default_secret=True)


def _strings(value) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return [str(value)]


def test_bundle_is_a_folder_and_a_zip_with_the_same_files(bundle):
    assert bundle.folder.is_dir() and bundle.zip == bundle.folder.with_name("course.zip")
    in_folder = sorted(p.relative_to(bundle.folder).as_posix() for p in bundle.folder.rglob("*") if p.is_file())
    assert zipfile.ZipFile(bundle.zip).namelist() == in_folder == bundle.files
    assert not [p for p in bundle.folder.parent.iterdir() if p.name.startswith(".")], "no scratch left behind"


def test_bundle_has_labs_evidence_sealed_keys_and_templates_but_no_keys_solvers_or_truth(bundle):
    names = bundle.files
    for forbidden in ("key.yaml", "solve.py", "truth.json"):
        assert not [n for n in names if n.endswith(forbidden)], forbidden
    assert not [n for n in names if n.startswith("datasets/") and n.endswith(".yaml")], "no recipes"
    for lab in LABS:
        assert f"labs/{lab}/lab.yaml" in names and f"solutions/{lab}/sealed/trainee-a.json" in names
        assert f"answers/{lab}/default.yaml" in names
    assert {"README.md", "README.ru.md", "install.sh", "install.bat",
            "datasets/build/disk-01/trainee-a/usb.dd"} <= set(names)
    assert bundle.labs == list(LABS) and bundle.variants == ["default", "trainee-a"]


def test_evidence_manifest_names_files_and_hashes_only(bundle, test_course, build):
    manifest = json.loads((bundle.folder / "datasets/build/disk-01/trainee-a/evidence.json").read_text())
    truth = open_lab(test_course, "disk-01", "trainee-a", build).truths["disk-01"]
    assert manifest["artefacts"] == {a: {"file": e["file"], "sha256": e["sha256"]}
                                     for a, e in truth["artefacts"].items()}
    assert set(manifest) == {"case", "variant", "artefacts"}


def test_no_expected_answer_appears_in_any_file_but_the_evidence(test_course, build, bundle):
    archive = zipfile.ZipFile(bundle.zip)
    evidence = {n for n in archive.namelist() if n.startswith("datasets/build/") and not n.endswith(".json")}
    blobs = {n: archive.read(n).lower() for n in archive.namelist() if n not in evidence}
    checked = 0
    for lab in LABS:
        for variant in (None, "trainee-a"):
            ctx = open_lab(test_course, lab, variant, build)
            key = lab_key(test_course, ctx.lab)
            for entry in key.entries.values():
                for value in _strings(resolve(entry.expected, ctx.truths, ctx.lab.datasets[0])):
                    if len(value) >= 6:
                        checked += 1
                        for name, blob in blobs.items():
                            assert value.lower().encode() not in blob, (lab, value, name)
    assert checked >= 10


def test_bundle_template_names_its_variant_and_evidence(bundle):
    template = yaml.safe_load(io.BytesIO(zipfile.ZipFile(bundle.zip).read("answers/net-01/trainee-a.yaml")))
    assert template["variant"] == "trainee-a" and len(template["evidence_sha256"]["capture"]) == 64


def test_bundle_is_deterministic(test_course, build, bundle, tmp_path):
    again = make_bundle(test_course, tmp_path / "again.zip", build, ["trainee-a"], labs=LABS,
                        allow_default_secret=True)
    assert again.zip == tmp_path / "again.zip" and again.folder == tmp_path / "again"
    assert again.zip.read_bytes() == bundle.zip.read_bytes()


def test_bundle_refuses_without_a_course_secret(test_course, build, tmp_path):
    with pytest.raises(NoCourseSecret):
        make_bundle(test_course, tmp_path / "b", build, labs=["net-01"])
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.zip").exists()
    for lang, words in (("en", "no course secret is set"), ("ru", "секрет курса не задан")):
        result = CliRunner(env={"FKLAB_BUILD_DIR": str(test_course.builds)}).invoke(
            cli, ["--lang", lang, "bundle", "--out", str(tmp_path / "c"), "--labs", "net-01", "--no-wheels"])
        assert result.exit_code == 1 and words in result.output and "--allow-default-secret" in result.output


def test_cli_bundle_with_the_default_secret_warns_and_lists_what_it_packed(test_course, tmp_path):
    result = CliRunner(env={"FKLAB_BUILD_DIR": str(test_course.builds)}).invoke(
        cli, ["bundle", "--out", str(tmp_path / "b"), "--labs", "net-01", "--no-wheels", "--allow-default-secret"])
    assert result.exit_code == 0, result.output
    assert "No course secret is set" in result.output and "1 lab, variants default" in result.output
    assert "No wheels packed" in result.output


def test_bundle_never_writes_over_or_through_what_is_there(test_course, build, tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(BundleError, match="already exists"):
        make_bundle(test_course, tmp_path / "taken", build, labs=["net-01"], allow_default_secret=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked.zip").symlink_to(elsewhere / "x.zip")
    with pytest.raises(BundleError, match="already exists"):
        make_bundle(test_course, tmp_path / "linked", build, labs=["net-01"], allow_default_secret=True)
    assert list(elsewhere.iterdir()) == []


def test_bad_variant_names_are_refused_before_anything_is_built(test_course, build, tmp_path):
    for bad in ("../up", "a" * 65, "default", "x/y", "\x00"):
        with pytest.raises(BundleError, match="not a trainee id"):
            make_bundle(test_course, tmp_path / "b", build, [bad], labs=["net-01"], allow_default_secret=True)


def test_roster_reads_an_id_column_or_the_first_column(tmp_path):
    csv_file = tmp_path / "class.csv"
    csv_file.write_text("name,id\nИван Петров,t-01\nAnna,t-02\n\n# late\nAnna,t-02\n", "utf-8")
    assert read_roster(csv_file) == ["t-01", "t-02"]
    plain = tmp_path / "ids.txt"
    plain.write_text("t-07\nt-08\n", "utf-8")
    assert read_roster(plain) == ["t-07", "t-08"]
    bad = tmp_path / "bad.csv"
    bad.write_text("id\n../../etc\n", "utf-8")
    with pytest.raises(BundleError, match="row 2: '../../etc' is not a trainee id"):
        read_roster(bad)


def test_wheelhouse_judges_markers_by_the_target_not_this_machine():
    windows = Target("3.12", "windows").markers()
    from packaging.requirements import Requirement

    assert not Requirement('xattr>=0.7.2; platform_system != "Windows"').marker.evaluate(windows)
    assert Requirement('colorama>=0.4; sys_platform == "win32"').marker.evaluate(windows)
    assert Requirement('xattr; platform_system != "Windows"').marker.evaluate(Target("3.11", "linux").markers())


def _can_unshare() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the offline install test uses Linux namespaces")
def test_bundle_installs_and_works_with_no_network(test_course, build, tmp_path):
    if not _can_unshare():
        pytest.skip("unshare -n is not permitted here (needs root or user namespaces)")
    here = current_target()
    report = make_bundle(test_course, tmp_path / "usb", build, ["t-01"], labs=["disk-01"],
                         wheelhouse=lambda folder: build_wheelhouse(REPO, folder, [here]),
                         allow_default_secret=True)
    assert [r.complete for r in report.wheels] == [True]
    assert f"{here}: complete" in (report.folder / "wheels.txt").read_text("utf-8")
    # a bare laptop: the bundle unpacked from its zip, installed with the network cut
    laptop = tmp_path / "laptop"
    with zipfile.ZipFile(report.zip) as archive:
        archive.extractall(laptop)
    (laptop / "install.sh").chmod(0o755)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "PIP_NO_CACHE_DIR": "1", "PIP_CONFIG_FILE": os.devnull, "PYTHON": _base_python()}

    def offline(*args: str, cwd: Path = laptop) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["unshare", "-n", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=600, check=False)

    installed = offline("sh", "install.sh")
    assert installed.returncode == 0, installed.stderr[-2000:]
    fklab = str(laptop / ".venv" / "bin" / "fklab")
    started = offline(fklab, "lab", "start", "disk-01", "--trainee", "t-01")
    assert started.returncode == 0, started.stderr
    answers = laptop / "disk-01" / "answers.yaml"
    sheet = yaml.safe_load(answers.read_text("utf-8"))
    _ctx, solution = run_solver(test_course, "disk-01", "t-01", build)
    sheet["answers"] = {q: [str(v) for v in a] if isinstance(a, list | tuple) else str(a)
                        for q, a in solution.answers.items()}
    answers.write_text(yaml.safe_dump(sheet, allow_unicode=True), "utf-8")
    hint = offline(fklab, "--lang", "ru", "lab", "hint", "disk-01", next(iter(sheet["answers"])), "--answers",
                   str(answers), "--yes")
    assert hint.returncode == 0, hint.stderr
    checked = offline(fklab, "lab", "check", "disk-01", str(answers), "--json")
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout)
    assert result["warnings"] == [] and result["hints_used"]
    graded = [q for q in result["questions"] if not q.get("pending")]
    assert graded and all(q["result"] == "correct" for q in graded), result
    unknown = offline(fklab, "lab", "start", "disk-01", "--trainee", "t-09", "--dir", str(tmp_path / "w9"))
    assert unknown.returncode == 1 and "variant 't-09'" in unknown.stderr and "t-01" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def _base_python() -> str:
    """A CPython outside this venv, as a trainee's laptop has (``sys._base_executable``)."""
    return getattr(sys, "_base_executable", None) or shutil.which("python3") or sys.executable
