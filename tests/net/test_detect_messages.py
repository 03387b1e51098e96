"""Finding summaries in the trainee's language: every template has a Russian form with the same values."""

from __future__ import annotations

import string

import pytest

from forensics_kit.cli.text import CATALOGUE
from forensics_kit.net.detect import Detector
from forensics_kit.net.detect.messages import TEMPLATES, render


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_summary_template_has_a_russian_form_with_the_same_values(key: str) -> None:
    entry = CATALOGUE.get(f"detect.{key}")
    assert entry is not None, f"cli.detect.{key} missing from fklab.po"
    assert entry["en"] == TEMPLATES[key]  # the msgid is the English text the library renders
    assert entry.get("ru") and _fields(entry["ru"]) == _fields(TEMPLATES[key])


@pytest.mark.parametrize("name", sorted(Detector.registry))
def test_every_detector_says_what_it_looks_for_in_russian(name: str) -> None:
    entry = CATALOGUE.get(f"detect.about.{name}")
    assert entry is not None, f"cli.detect.about.{name} missing from fklab.po"
    assert entry["en"] == (Detector.registry[name].__doc__ or "").strip().splitlines()[0]
    assert entry.get("ru")


def test_russian_templates_render_the_values_a_detector_gives() -> None:
    values = {"source": "10.0.0.5", "label": "http://c2.example/task", "interval": 60.04, "jitter": 4.6,
              "count": 10, "service": "FTP", "client": "10.0.0.9", "server": "10.0.0.2", "failures": 12,
              "frame": 120, "account": "admin", "scan_type": "SYN", "ports": 1000, "host": "10.0.0.2",
              "more": 2, "port": 22, "hosts": 40, "open": 3, "items": "21, 22, 80", "unique": 40,
              "domain": "t.exfil.example", "bytes": 4096, "bits": 4.81, "txt": 40, "target": "10.0.0.7",
              "odd": 6, "ip": "10.0.0.1", "old_mac": "00:11:22:33:44:55", "new_mac": "66:77:88:99:aa:bb",
              "claims": 12, "mac": "66:77:88:99:aa:bb", "ips": "10.0.0.1"}
    for key, template in TEMPLATES.items():
        russian = CATALOGUE[f"detect.{key}"]["ru"]
        parts = [(key, {f: values[f] for f in _fields(template)})]
        assert render(parts) == template.format(**parts[0][1])
        text = render(parts, lambda k: CATALOGUE[f"detect.{k}"]["ru"])
        assert text == russian.format(**parts[0][1]) and "{" not in text
