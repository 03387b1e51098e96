"""Kit tables speak the trainee's language: every column header of every command has a Russian form."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.cli.text import CATALOGUE

CLI = Path(__file__).resolve().parents[2] / "forensics_kit" / "cli"


def test_every_column_header_in_the_cli_has_a_russian_translation() -> None:
    headers = set()
    for module in CLI.glob("*.py"):
        headers |= set(re.findall(r'\("[a-z_0-9]+", "([^"]+)"\)', module.read_text("utf-8")))
    headers = {h for h in headers if not h[0].islower()}  # ("x", "en") pairs elsewhere are not headers
    missing = sorted(h for h in headers if not CATALOGUE.get(f"col.{h}", {}).get("ru"))
    assert not missing, missing


def test_lang_ru_translates_the_headers_of_a_kit_table(tmp_path: Path) -> None:
    import struct

    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    pcap = tmp_path / "empty.pcap"
    pcap.write_bytes(header)
    english = CliRunner().invoke(cli, ["net", "flows", str(pcap)])
    russian = CliRunner().invoke(cli, ["--lang", "ru", "net", "flows", str(pcap)])
    assert "Packets" in english.output and "Пакетов" in russian.output and "Packets" not in russian.output
