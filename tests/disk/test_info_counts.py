"""``disk info`` counts partitions as ``mmls`` lists them, with the table's other slots apart."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli

from .conftest import need, run


@pytest.mark.crosscheck
def test_info_counts_partitions_as_mmls_numbers_them(mbr_image):
    need("mmls")
    rows = [line.split(None, 2)[1] for line in run("mmls", mbr_image.path).splitlines()
            if line.split(":")[0].strip().isdigit()]
    slots = {"partition": sum(s[:3].isdigit() for s in rows), "meta": rows.count("Meta"),
             "unallocated": rows.count("-------")}
    assert slots["partition"] and slots["meta"] and slots["unallocated"]
    result = CliRunner().invoke(cli, ["disk", "info", str(mbr_image.path), "--json"])
    info = json.loads(result.stdout)
    assert (info["partitions"], info["meta_entries"], info["unallocated_entries"]) == (
        slots["partition"], slots["meta"], slots["unallocated"])
    russian = CliRunner().invoke(cli, ["--lang", "ru", "disk", "info", str(mbr_image.path)])
    assert "разделов" in russian.stdout and "служебных записей таблицы" in russian.stdout
