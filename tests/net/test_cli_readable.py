"""``net http`` and ``net summary`` as a trainee reads them at 80 columns (and --json unchanged)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.cli.net import http_block


def _capture(build):
    folder = build("net-01", None)
    return folder / json.loads((folder / "truth.json").read_text())["artefacts"]["capture"]["file"]


def test_http_shows_each_user_agent_and_body_sha256_whole_within_80_columns(build):
    capture = _capture(build)
    runner = CliRunner(env={"COLUMNS": "80"})
    records = [json.loads(line) for line in runner.invoke(cli, ["net", "http", str(capture), "--json"]).stdout
               .splitlines()]
    text = runner.invoke(cli, ["net", "http", str(capture)]).stdout
    assert max(len(line) for line in text.splitlines()) <= 80
    hashes = {r["sha256"] for r in records if r["sha256"] and r["body_size"]}
    assert hashes and all(f"SHA-256: {h}" in text for h in hashes)
    agents = {r["user_agent"] for r in records if r["user_agent"]}
    assert agents and all(" ".join(agent.split()) in " ".join(text.split()) for agent in agents)


def test_an_http_block_wraps_a_long_url_and_agent_but_keeps_the_hash_whole():
    record = {"frame": 7, "time": "2024-03-10T20:02:44.618381Z", "method": "GET", "host": "a.example",
              "dst": "192.0.2.1", "uri": "/" + "very-long-segment/" * 8, "status": 200, "reason": "OK",
              "content_type": "text/html", "body_size": 10, "src": "10.0.0.5", "sport": 50000, "dport": 80,
              "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                            "Chrome/122.0.0.0 Safari/537.36", "sha256": "ab" * 32}
    lines = http_block(record, 80)
    assert all(len(line) <= 80 for line in lines) and f"     SHA-256: {'ab' * 32}" in lines


def test_summary_shows_lists_as_tables_not_python_values(build):
    capture = _capture(build)
    text = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["net", "summary", str(capture)]).stdout
    assert "{" not in text and "'" not in text and "address=" not in text and "first_ns" not in text
    for header in ("Protocol", "Address", "Digest"):
        assert header in text
    russian = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["--lang", "ru", "net", "summary", str(capture)]).stdout
    assert "Протокол" in russian and "Адрес" in russian
    one = CliRunner().invoke(cli, ["net", "summary", str(capture), "--json"]).stdout
    assert len(one.splitlines()) == 1 and json.loads(one)["top_talkers"]
