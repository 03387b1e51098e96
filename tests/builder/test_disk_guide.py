"""The disk examples of the trainer's guide (datasets/README.md) build as written."""

from __future__ import annotations

import re

import yaml
from builder_paths import DATASETS
from disk_helpers import build, needs_fuse


def _example(first_line: str) -> list[dict]:
    text = (DATASETS / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(" + re.escape(first_line) + r".*?)```", text, re.S)
    assert block, f"guide example starting {first_line!r} is missing"
    return yaml.safe_load(block.group(1).replace("items: [...]", "items: []"))


def test_usb_stick_example_builds(tmp_path):
    evidence = _example("- id: usb")
    evidence[0]["filesystem"]["label"] = "KINGSTON"
    evidence[0]["items"][0].update(content={"text": "plan"}, times={"modified": "2024-03-01T10:00:00Z"})
    result = build(tmp_path, evidence)
    assert result.truth["items"]["transfer"]["deleted"] and result.truth["items"]["chat_fragment"]["sector"] > 0


@needs_fuse
def test_partitioned_e01_example_builds(tmp_path):
    result = build(tmp_path, _example("- id: laptop"))
    parts = result.truth["artefacts"]["laptop"]["partitions"]
    assert [(p["filesystem"], p["in_table"]) for p in parts] == [("FAT16", True), ("NTFS", True), ("ext4", False)]
    assert result.truth["artefacts"]["laptop"]["ewf"]["examiner"] == "Lt. Petrova"


def test_logical_partitions_example_builds(tmp_path):
    result = build(tmp_path, _example("- id: office_pc"))
    disk = result.truth["artefacts"]["office_pc"]
    parts = disk["partitions"]
    assert [(p["slot"], p["logical"], p["type"]) for p in parts] == [
        ("000:000", False, "0x01"), ("001:000", True, "0x06"), ("002:000", True, "0x11")
    ]  # fmt: skip
    assert disk["extended"]["description"] == "Win95 Extended (0x0f)"
    assert [t["partition"] for t in disk["extended"]["tables"]] == ["data", "stash"]
