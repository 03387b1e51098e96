"""The guide's world-model example builds, its hosts' packets carry the TTLs the guide states, and it audits clean."""

from __future__ import annotations

import re
from collections import defaultdict

from builder_paths import DATASETS

from forensics_kit.builder import build_case, load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.net import read_frames

GUIDE = DATASETS / "README.md"


def _world_example() -> str:
    section = GUIDE.read_text(encoding="utf-8").split("## The world a capture sees", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "the world-model section has no yaml block"
    return block.group(1)


def test_guide_world_example_gives_each_host_its_os_ttl_minus_hops_and_audits_clean(tmp_path):
    path = tmp_path / "world-01.yaml"
    path.write_text(_world_example(), encoding="utf-8")
    result = build_case(path, tmp_path / "build")
    hosts = result.truth["hosts"]
    assert {name: h["ttl"] for name, h in hosts.items()} == {"workstation": 128, "router": 64, "site": 53}
    seen = defaultdict(set)
    for frame in read_frames(result.artefacts["capture"]):
        seen[".".join(map(str, frame.data[26:30]))].add(frame.data[22])
    assert dict(seen) == {hosts["workstation"]["ip"]: {128}, "192.168.7.1": {64}, hosts["site"]["ip"]: {53}}
    assert audit_build(load_recipe(path), result.directory) == []
