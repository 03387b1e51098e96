"""Start-up imports only what a command uses: ``fklab --version`` loads no heavy library.

Each check runs the real entry point in a fresh interpreter and reads ``sys.modules``
at exit, so an import added anywhere on the start-up path (a module-level
``import rich.console`` in a CLI helper, a group imported eagerly) fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Modules that must not be loaded by ``fklab --version`` (prefixes: a sub-module counts too).
HEAVY = ("pytsk3", "dfvfs", "scapy", "yara", "rich.console", "rich.table", "forensics_kit.builder",
         "grader", "jsonschema", "yaml", "importlib.metadata")

_PROBE = """
import atexit, json, sys
def report():
    sys.__stderr__.write("MODULES=" + json.dumps(sorted(sys.modules)) + "\\n")
atexit.register(report)
sys.argv = ["fklab", *ARGS]
from forensics_kit.cli.main import main
main()
"""


def _modules_after(*args: str) -> set[str]:
    code = _PROBE.replace("ARGS", repr(list(args)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def _heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in names))


def test_version_imports_no_heavy_library():
    assert _heavy(_modules_after("--version"), HEAVY) == []


def test_version_prints_the_package_version():
    from forensics_kit import __version__

    done = subprocess.run([sys.executable, "-m", "forensics_kit.cli.main", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout.strip() == f"fklab, version {__version__}"


@pytest.mark.parametrize("group", ["net", "disk"])
def test_a_group_help_loads_only_its_own_commands(group: str):
    modules = _modules_after(group, "--help")
    other = "disk" if group == "net" else "net"
    assert f"forensics_kit.cli.{group}" in modules
    assert _heavy(modules, (f"forensics_kit.cli.{other}", "forensics_kit.cli.lab", "pytsk3", "dfvfs", "scapy",
                            "yara", "forensics_kit.builder")) == []


def test_net_commands_do_not_load_disk_or_grading_libraries():
    modules = _modules_after("net", "flows", "--help")
    assert _heavy(modules, ("pytsk3", "dfvfs", "scapy", "yara", "forensics_kit.builder", "jsonschema")) == []


def test_top_level_help_still_lists_every_group():
    from click.testing import CliRunner

    from forensics_kit.cli.main import COMMANDS, cli

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output


def test_json_output_is_one_object_per_line():
    """Guard for the output layer the lazy imports rewired: ``datasets list --json`` stays JSON lines."""
    done = subprocess.run([sys.executable, "-m", "forensics_kit.cli.main", "datasets", "list", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
