"""Bad recipes fail with one-line RecipeErrors naming recipe and item, and leave no output."""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from builder_paths import DATASETS, SHIPPED

from forensics_kit.builder import (
    SCHEMA_PATH,
    ContentGenerator,
    EvidenceType,
    ParameterType,
    SessionType,
    build_case,
    list_recipes,
)
from forensics_kit.errors import RecipeError

BASE = {
    "case": "bad-01",
    "title": {"en": "Broken"},
    "seed": 3,
    "window": {"start": "2024-02-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"},
    "parameters": {
        "iban": {"type": "pattern", "pattern": "DE## ####"},
        "ip": {"type": "ipv4", "network": "10.0.0.0/24"},
    },
    "evidence": [
        {
            "id": "usb",
            "type": "disk",
            "file": "usb.dd",
            "size": "16MiB",
            "filesystem": {"type": "fat16", "label": "STICK"},
            "items": [
                {
                    "id": "note",
                    "path": "/note.txt",
                    "content": {"text": "{{ iban }}"},
                    "times": {"modified": "2024-03-01T10:00:00Z"},
                }
            ],
        },
        {
            "id": "net",
            "type": "pcap",
            "file": "net.pcap",
            "start": "2024-03-01T10:00:00Z",
            "hosts": {"ws": {"ip": "{{ ip }}"}, "dns": {"ip": "10.0.0.1"}},
            "sessions": [
                {
                    "id": "q",
                    "type": "dns",
                    "client": "ws",
                    "server": "dns",
                    "qname": "a.example",
                    "answers": ["192.0.2.1"],
                    "at": 1,
                }
            ],
        },
    ],
}


def _item(recipe):
    return recipe["evidence"][0]["items"][0]


CASES = {
    "unknown key": (
        lambda r: _item(r).update(colour="red"),
        "items[0] (note)",
        "unknown key 'colour'",
    ),
    "wrong type": (lambda r: r["evidence"][0].update(size=[16]), "evidence[0] (usb)", "expected"),
    "unknown parameter": (
        lambda r: _item(r)["content"].update(text="{{ ibn }}"),
        "items[0] (note)",
        "unknown parameter 'ibn' in template (known: iban, ip)",
    ),
    "file too big": (
        lambda r: _item(r).update(content={"generate": "bytes", "size": 20 << 20}),
        "items[0] (note)",
        "does not fit",
    ),
    "time outside window": (
        lambda r: _item(r)["times"].update(modified="2025-01-01T00:00:00Z"),
        "items[0] (note)",
        "outside the case window",
    ),
    "bad ipv4": (
        lambda r: r["evidence"][1]["hosts"]["dns"].update(ip="10.0.0.300"),
        "evidence[1] (net) hosts.dns",
        "bad IPv4 address",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_recipe_names_recipe_and_item_and_leaves_no_output(name, tmp_path):
    change, item, problem = CASES[name]
    recipe = copy.deepcopy(BASE)
    change(recipe)
    path = tmp_path / "bad-01.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        build_case(path, tmp_path / "build")
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and item in message and problem in message, message
    assert "\n" not in message
    assert not (tmp_path / "build" / "bad-01").exists()


def test_the_valid_base_recipe_builds(tmp_path):
    path = tmp_path / "bad-01.yaml"
    path.write_text(yaml.safe_dump(BASE, sort_keys=False), encoding="utf-8")
    result = build_case(path, tmp_path / "build")
    assert result.truth["items"]["note"]["path"] == "/note.txt"
    assert result.truth["artefacts"]["net"]["dns_qnames"] == ["a.example"]


def test_case_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    with pytest.raises(RecipeError, match="differs from the file name"):
        build_case(path, tmp_path / "build")


def test_every_shipped_recipe_loads_and_lists(tmp_path):
    recipes = list_recipes(DATASETS)
    assert [r.case for r in recipes] == SHIPPED
    listed = {r.case: r.evidence_ids for r in recipes}
    assert listed["disk-01"] == ["usb"] and listed["net-01"] == ["capture"]


def test_schema_enums_name_exactly_the_registered_classes():
    defs = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]
    assert (
        defs["parameter"]["properties"]["type"]["enum"] == sorted(ParameterType.names())
        or sorted(defs["parameter"]["properties"]["type"]["enum"]) == ParameterType.names()
    )
    assert sorted(defs["evidence"]["properties"]["type"]["enum"]) == EvidenceType.names()
    assert sorted(defs["session"]["properties"]["type"]["enum"]) == SessionType.names()
    assert sorted(defs["content"]["properties"]["generate"]["enum"]) == ContentGenerator.names()


def test_a_numeric_parameter_fills_a_numeric_field_as_the_guide_says(tmp_path):
    recipe = copy.deepcopy(BASE)
    recipe["parameters"]["knock_port"] = {"type": "integer", "min": 2000, "max": 2999}
    recipe["evidence"][1]["sessions"].append(
        {"id": "knock", "type": "udp", "client": "ws", "server": "dns", "port": "{{ knock_port }}", "at": 2,
         "messages": [{"side": "client", "text": "knock"}]})
    path = tmp_path / "bad-01.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    truth = build_case(path, tmp_path / "build").truth
    assert truth["sessions"]["knock"]["server_port"] == truth["parameters"]["knock_port"]
    recipe["evidence"][1]["sessions"][-1]["port"] = "1{{ knock_port }}"  # text around it: not a number
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    with pytest.raises(RecipeError, match="port: expected integer"):
        build_case(path, tmp_path / "build2")
