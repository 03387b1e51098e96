"""A LAN DNS server forwards only when the recipe declares it a forwarding resolver, and then to that server."""

from __future__ import annotations

import copy

import pytest
import yaml
from test_audit import _build, _lookup, _recipe

from forensics_kit.builder import load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.errors import RecipeError
from forensics_kit.net import dns_messages


def _forwarding_recipe() -> dict:
    recipe = _recipe()
    hosts = recipe["evidence"][1]["hosts"]
    hosts["dns"]["mac"] = "02:00:00:00:00:53"  # a DNS server on the LAN, not the router
    hosts["dns"]["forwards_dns_to"] = "isp"
    hosts["isp"] = {"ip": "77.88.8.8", "mac": "00:1a:2b:00:00:01", "os": "linux"}
    _lookup(recipe, "news", "news.example.org", "192.0.2.80", 3)
    _lookup(recipe, "intranet", "portal.corp.example", "10.0.0.20", 4)  # its own zone: a LAN address
    return recipe


def _audit_as(tmp_path, result, recipe: dict, only: str = "dns-upstream"):
    """Audit ``result`` against ``recipe`` (a recipe that declares otherwise than the one built)."""
    path = tmp_path / "declared" / "bad-01.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    return [f.message() for f in audit_build(load_recipe(path), result.directory, only=[only])]


def test_a_declared_forwarder_asks_its_upstream_for_public_names_only(tmp_path):
    recipe, result = _build(tmp_path, _forwarding_recipe())
    assert result.truth["sessions"]["news"]["server"] == "10.0.0.1"

    asked = [(m.src, m.dst, m.qname) for m in dns_messages(result.artefacts["net"]) if not m.response]
    assert ("10.0.0.1", "77.88.8.8", "news.example.org") in asked
    assert not any(dst == "77.88.8.8" and name == "portal.corp.example" for _, dst, name in asked)
    assert result.truth["hosts"]["dns"]["forwards_dns_to"] == "isp"
    assert audit_build(recipe, result.directory, only=["dns-upstream"]) == []


def test_an_upstream_for_a_server_not_declared_a_forwarder_is_a_recipe_error(tmp_path):
    recipe = _forwarding_recipe()
    del recipe["evidence"][1]["hosts"]["dns"]["forwards_dns_to"]
    recipe["evidence"][1]["sessions"][-1]["upstream"] = "isp"
    with pytest.raises(RecipeError, match="declare hosts.dns.forwards_dns_to: isp"):
        _build(tmp_path, recipe)


def test_forwarding_the_recipe_does_not_declare_breaks_the_upstream_rule(tmp_path):
    recipe, result = _build(tmp_path, _forwarding_recipe())
    undeclared = copy.deepcopy(_forwarding_recipe())
    del undeclared["evidence"][1]["hosts"]["dns"]["forwards_dns_to"]
    assert _audit_as(tmp_path, result, undeclared) == [
        "the LAN DNS server 10.0.0.1 asks 77.88.8.8 for a.example but the recipe does not declare it a "
        "forwarding resolver (forwards_dns_to)"]


def test_forwarding_to_another_server_than_the_declared_one_breaks_the_upstream_rule(tmp_path):
    recipe, result = _build(tmp_path, _forwarding_recipe())
    elsewhere = copy.deepcopy(_forwarding_recipe())
    elsewhere["evidence"][1]["hosts"]["google"] = {"ip": "8.8.8.8", "mac": "00:1a:2b:00:00:01", "os": "linux"}
    elsewhere["evidence"][1]["hosts"]["dns"]["forwards_dns_to"] = "google"
    assert _audit_as(tmp_path, result, elsewhere) == [
        "the LAN DNS server 10.0.0.1 asks 77.88.8.8 for a.example, not the server it forwards to (8.8.8.8)"]
