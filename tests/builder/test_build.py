"""Building the shipped recipes: determinism, manifest, variants, verification."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from builder_paths import DATASETS, SHIPPED

from forensics_kit.builder import build_case, read_manifest, verify_builds, write_manifest


@pytest.mark.parametrize("case", SHIPPED)
def test_rebuild_is_byte_identical_and_matches_manifest(case, built, tmp_path):
    # FAT keeps 2-second times: make sure the wall clock moved on, so a leaked time shows.
    time.sleep(max(0.0, 2.1 - (time.monotonic() - built["_finished"])))
    again = build_case(DATASETS / f"{case}.yaml", tmp_path)
    first = built[case]
    assert (again.directory / "truth.json").read_bytes() == (
        first.directory / "truth.json"
    ).read_bytes()
    for evidence_id, path in first.artefacts.items():
        assert again.artefacts[evidence_id].read_bytes() == path.read_bytes()
    expected = read_manifest(DATASETS / "manifest.json")[case]
    actual = {a["file"]: a["sha256"] for a in first.truth["artefacts"].values()}
    assert actual == expected, "builder output changed: rebuild and commit datasets/manifest.json"


def test_disk_variants_differ_from_each_other_and_from_default(built, tmp_path):
    default = built["disk-01"].truth
    # choices (label, bank) can repeat between trainees; these two variants happen not to
    one = build_case(DATASETS / "disk-01.yaml", tmp_path, variant="trainee-01").truth
    two = build_case(DATASETS / "disk-01.yaml", tmp_path, variant="trainee-03").truth
    for key in ("label", "bank", "iban", "invoice_no", "t_transfer"):
        assert (
            len({default["parameters"][key], one["parameters"][key], two["parameters"][key]}) == 3
        ), key
    for path in (
        ("artefacts", "usb", "sha256"),
        ("items", "transfer", "sha256"),
        ("items", "photo1", "sha256"),
        ("items", "invoice", "path"),
    ):
        values = set()
        for truth in (default, one, two):
            for key in path:
                truth = truth[key]
            values.add(truth)
        assert len(values) == 3, path
    assert one["variant"] == "trainee-01" and default["variant"] is None
    assert all(t["artefacts"]["usb"]["deleted_count"] == 3 for t in (default, one, two))


def test_capture_variants_differ_from_each_other_and_from_default(built, tmp_path):
    default = built["net-01"].truth
    one = build_case(DATASETS / "net-01.yaml", tmp_path, variant="trainee-01").truth
    two = build_case(DATASETS / "net-01.yaml", tmp_path, variant="trainee-02").truth
    for get in (
        lambda t: t["hosts"]["workstation"]["ip"],
        lambda t: t["hosts"]["workstation"]["mac"],
        lambda t: t["sessions"]["download"]["body_sha256"],
        lambda t: t["sessions"]["download"]["uri"],
        lambda t: t["artefacts"]["capture"]["sha256"],
    ):
        assert len({get(default), get(one), get(two)}) == 3


def test_verify_builds_reports_a_changed_byte_and_a_missing_build(built, tmp_path):
    source = built["disk-01"]
    copy = tmp_path / "disk-01" / "default"
    copy.mkdir(parents=True)
    image = copy / "usb.dd"
    data = bytearray(source.artefacts["usb"].read_bytes())
    image.write_bytes(data)
    manifest = tmp_path / "manifest.json"
    write_manifest([source, built["net-01"]], manifest, merge=False)
    results = {r.case: r for r in verify_builds(manifest, tmp_path)}
    assert results["disk-01"].ok and results["net-01"].missing and not results["net-01"].ok
    data[40000] ^= 0xFF
    image.write_bytes(data)
    changed = {r.case: r for r in verify_builds(manifest, tmp_path)}["disk-01"]
    assert not changed.ok and changed.actual not in (None, changed.expected)


def test_failed_rebuild_keeps_the_older_good_build(built, tmp_path):
    good = build_case(DATASETS / "disk-01.yaml", tmp_path)
    broken = tmp_path / "src" / "disk-01.yaml"
    broken.parent.mkdir()
    text = (DATASETS / "disk-01.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("size: 16MiB", "size: 1MiB"), encoding="utf-8")
    with pytest.raises(Exception, match="fat16 needs"):
        build_case(broken, tmp_path)
    assert (good.directory / "truth.json").is_file()
    assert sorted(p.name for p in (tmp_path / "disk-01").iterdir()) == ["default"]


def test_manifest_file_is_what_write_manifest_produces(built, tmp_path):
    path: Path = tmp_path / "manifest.json"
    write_manifest([built[c] for c in SHIPPED], path, merge=False)
    assert read_manifest(path) == read_manifest(DATASETS / "manifest.json")
