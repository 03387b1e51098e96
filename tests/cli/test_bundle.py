"""The trainee bundle holds labs, evidence and sealed keys, and no answer in plain form."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml

from grader.bundle import make_bundle
from grader.key import resolve
from grader.workflow import lab_key, open_lab

LABS = ("disk-01", "net-01")


@pytest.fixture(scope="module")
def bundle(test_course, build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "course.zip"
    make_bundle(test_course, out, build, ["trainee-a"])
    return out


def _strings(value) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return [str(value)]


def test_bundle_has_labs_evidence_sealed_keys_and_templates_but_no_keys_solvers_or_truth(bundle):
    names = zipfile.ZipFile(bundle).namelist()
    for forbidden in ("key.yaml", "solve.py", "truth.json"):
        assert not [n for n in names if n.endswith(forbidden)], forbidden
    assert not [n for n in names if n.startswith("datasets/") and n.endswith(".yaml")], "no recipes"
    for lab in LABS:
        assert f"labs/{lab}/lab.yaml" in names and f"solutions/{lab}/sealed/trainee-a.json" in names
        assert f"answers/{lab}/default.yaml" in names
    assert {"README.md", "README.ru.md", "datasets/build/disk-01/trainee-a/usb.dd"} <= set(names)


def test_no_expected_answer_appears_in_any_file_but_the_evidence(test_course, build, bundle):
    archive = zipfile.ZipFile(bundle)
    evidence = {n for n in archive.namelist() if n.startswith("datasets/build/")}
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
    template = yaml.safe_load(io.BytesIO(zipfile.ZipFile(bundle).read("answers/net-01/trainee-a.yaml")))
    assert template["variant"] == "trainee-a" and len(template["evidence_sha256"]["capture"]) == 64


def test_bundle_is_deterministic(test_course, build, bundle, tmp_path):
    again = tmp_path / "again.zip"
    make_bundle(test_course, again, build, ["trainee-a"])
    assert again.read_bytes() == bundle.read_bytes()
