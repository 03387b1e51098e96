"""Running the system tools the builder drives (mkfs.fat, mtools), with one-line errors.

A missing tool names its Debian package; a failing tool gives its exit code and
the last line it wrote to stderr. Tools run with a fixed locale, time zone and
no user configuration so that builds do not depend on the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from forensics_kit.errors import BuildError

DEBIAN_PACKAGES: dict[str, str] = {
    "mkfs.fat": "dosfstools",
    "mcopy": "mtools",
    "mmd": "mtools",
    "mdel": "mtools",
    "fls": "sleuthkit",
    "icat": "sleuthkit",
}
_SBIN = ("/usr/sbin", "/sbin")


class ToolError(BuildError):
    """A system tool exited with an error; ``stderr`` keeps what it said."""

    def __init__(self, message: str, stderr: str = "") -> None:
        self.stderr = stderr
        super().__init__(message)


def find_tool(name: str) -> str:
    """Full path of a system tool, looking in sbin too; BuildError naming the package if absent."""
    found = shutil.which(name) or next(
        (str(Path(d, name)) for d in _SBIN if os.access(Path(d, name), os.X_OK)), None
    )
    if not found:
        package = DEBIAN_PACKAGES.get(name, name)
        raise BuildError(
            f"{name} not found: install the Debian package {package} "
            f"(sudo apt-get install {package})"
        )
    return found


def run_tool(name: str, args: Sequence[str | Path]) -> str:
    """Run a tool with a neutral environment; return its stdout or raise ToolError."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "MTOOLS_SKIP_CHECK": "1",
        "MTOOLSRC": os.devnull,
        "HOME": os.devnull,
    }
    command = [find_tool(name), *map(str, args)]
    try:
        done = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError(f"{name} could not run: {exc}") from exc
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        last = lines[-1] if lines else "no message"
        raise ToolError(f"{name} failed (exit {done.returncode}): {last}", done.stderr)
    return done.stdout
