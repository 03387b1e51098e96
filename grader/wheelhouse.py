"""A wheelhouse for the offline bundle: fklab and every dependency as wheels, per target.

Trainees' laptops have no network, so the bundle carries wheels that ``pip install --no-index``
can use. They are made in two steps:

1. ``pip wheel`` with the bundling machine's own interpreter builds fklab and every
   dependency for that interpreter (source-only packages such as dtfabric become pure
   ``py3-none-any`` wheels, valid on every target);
2. for every other target (CPython version x operating system), the dependency tree is
   walked again with that target's environment markers (``pip download --platform`` would
   judge markers by the running machine, e.g. ask for ``xattr`` on Windows), and each
   binary package is downloaded at the same version with ``--only-binary``. A target
   where some package publishes no wheel is reported with what is missing and left out.

Everything lands in one flat folder: pip picks the wheel that fits the machine it runs on.
"""

from __future__ import annotations

import email.parser
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from grader.errors import GraderError

__all__ = ["OPERATING_SYSTEMS", "PYTHONS", "Target", "TargetReport", "WheelhouseError", "build_wheelhouse",
           "current_target", "parse_targets"]

PYTHONS = ("3.11", "3.12", "3.13")
OPERATING_SYSTEMS = ("linux", "windows", "macos-arm64", "macos-x86_64")

_MANYLINUX = [f"manylinux_2_{minor}_x86_64" for minor in range(34, 16, -1)] + [
    "manylinux2014_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64"]
_PLATFORMS = {
    "linux": _MANYLINUX,
    "windows": ["win_amd64"],
    "macos-arm64": [f"macosx_{major}_0_arm64" for major in range(15, 10, -1)],
    "macos-x86_64": [f"macosx_{major}_0_x86_64" for major in range(15, 10, -1)]
    + [f"macosx_10_{minor}_x86_64" for minor in range(15, 8, -1)],
}
_MARKERS = {  # sys_platform, platform_system, os_name, platform_machine
    "linux": ("linux", "Linux", "posix", "x86_64"),
    "windows": ("win32", "Windows", "nt", "AMD64"),
    "macos-arm64": ("darwin", "Darwin", "posix", "arm64"),
    "macos-x86_64": ("darwin", "Darwin", "posix", "x86_64"),
}

Progress = Callable[[str, int, int], None]


class WheelhouseError(GraderError):
    """pip could not build the wheels of this machine's own interpreter (the bundle needs them)."""


@dataclass(frozen=True, order=True)
class Target:
    """One CPython version on one operating system, e.g. ``3.12`` on ``windows``."""

    python: str
    os: str

    def __str__(self) -> str:
        return f"CPython {self.python} {self.os}"

    def tags(self) -> frozenset[Tag]:
        """The wheel tags pip accepts on that machine (cp3XX, abi3, py3-none-any; its platforms)."""
        version = tuple(int(part) for part in self.python.split("."))
        platforms = _PLATFORMS[self.os]
        return frozenset([*cpython_tags(version, platforms=platforms), *compatible_tags(version, platforms=platforms)])

    def markers(self) -> dict[str, str]:
        """The PEP 508 environment a requirement's marker is judged in on that machine."""
        sys_platform, system, os_name, machine = _MARKERS[self.os]
        return {
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "implementation_version": f"{self.python}.0", "python_full_version": f"{self.python}.0",
            "python_version": self.python, "sys_platform": sys_platform, "platform_system": system,
            "os_name": os_name, "platform_machine": machine, "platform_release": "", "platform_version": "",
            "extra": "",
        }


@dataclass
class TargetReport:
    """What the wheelhouse holds for one target: ``complete``, or the packages without a wheel."""

    target: Target
    packages: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def current_target() -> Target:
    """The interpreter running fklab now (its wheels are the ones ``pip wheel`` builds)."""
    machine = sysconfig.get_platform()
    if sys.platform == "win32":
        system = "windows"
    elif sys.platform == "darwin":
        system = "macos-arm64" if machine.endswith("arm64") else "macos-x86_64"
    else:
        system = "linux"
    return Target(f"{sys.version_info.major}.{sys.version_info.minor}", system)


def parse_targets(pythons: Iterable[str], systems: Iterable[str]) -> list[Target]:
    """Targets from ``--python`` and ``--os`` words; ``current`` stands for this interpreter."""
    here = current_target()
    chosen_pythons = [here.python if p == "current" else p for p in pythons]
    chosen_systems = [here.os if s == "current" else s for s in systems]
    for python in chosen_pythons:
        if python not in PYTHONS:
            raise GraderError(f"unknown Python version {python!r} (known: {', '.join(PYTHONS)}, current)")
    for system in chosen_systems:
        if system not in OPERATING_SYSTEMS:
            raise GraderError(f"unknown system {system!r} (known: {', '.join(OPERATING_SYSTEMS)}, current)")
    return sorted({Target(p, s) for p in chosen_pythons for s in chosen_systems})


@dataclass(frozen=True)
class _Wheel:
    path: Path
    name: str
    version: str
    pure: bool
    requires: tuple[Requirement, ...]


def _read_wheel(path: Path) -> _Wheel:
    name, version, _build, tags = parse_wheel_filename(path.name)
    with zipfile.ZipFile(path) as archive:
        meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(archive.read(meta_name).decode("utf-8", "replace"))
    requires = []
    for line in meta.get_all("Requires-Dist") or []:
        try:
            requires.append(Requirement(line))
        except InvalidRequirement:
            continue
    pure = all(tag.abi == "none" and tag.platform == "any" for tag in tags)
    return _Wheel(path, canonicalize_name(name), str(version), pure, tuple(requires))


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, check=False)


def _last_error(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")] or proc.stderr.splitlines()
    return lines[-1] if lines else f"pip exit {proc.returncode}"


def _download(requirements: list[str], target: Target, out: Path) -> bool:
    """Wheels of ``requirements`` for ``target`` (no dependencies) into ``out``, in one pip run."""
    platforms = [arg for platform in _PLATFORMS[target.os] for arg in ("--platform", platform)]
    proc = _pip("download", "--quiet", "--no-deps", "--only-binary=:all:", "--dest", str(out), *platforms,
                "--python-version", target.python, "--implementation", "cp", *requirements)
    return proc.returncode == 0


def _wheel_for(name: str, target: Target, out: Path) -> _Wheel | None:
    """The wheel of ``name`` in ``out`` that pip on ``target`` would install."""
    for path in sorted(out.glob("*.whl")):
        if canonicalize_name(parse_wheel_filename(path.name)[0]) == name and _fits(path, target):
            return _read_wheel(path)
    return None


def _fits(path: Path, target: Target) -> bool:
    """Whether pip on ``target`` would install this wheel (its tags meet the target's)."""
    return not parse_wheel_filename(path.name)[3].isdisjoint(target.tags())


def build_wheelhouse(project: Path, out: Path, targets: list[Target], progress: Progress | None = None,
                     ) -> list[TargetReport]:
    """Fill ``out`` with wheels for ``targets``; return what each target got (or lacks)."""
    project = Path(project)
    if not (project / "pyproject.toml").is_file():
        raise WheelhouseError(f"{project}: no pyproject.toml: the bundle packs fklab from its source checkout")
    out.mkdir(parents=True, exist_ok=True)
    here = current_target()
    if progress:
        progress("building wheels", 0, len(targets) + 1)
    proc = _pip("wheel", "--quiet", "--wheel-dir", str(out), str(project))
    if proc.returncode != 0:
        raise WheelhouseError(f"pip wheel {project}: {_last_error(proc)}")
    base = {w.name: w for w in map(_read_wheel, sorted(out.glob("*.whl")))}
    fklab = base.get("fklab")
    if fklab is None:
        raise WheelhouseError(f"pip wheel {project}: no fklab wheel was made")
    reports = []
    for number, target in enumerate(targets, 1):
        reports.append(_for_target(fklab, base, target, out, native=target == here))
        if progress:
            progress("building wheels", number + 1, len(targets) + 1)
    return reports


def _for_target(fklab: _Wheel, base: dict[str, _Wheel], target: Target, out: Path, *, native: bool) -> TargetReport:
    """Walk fklab's requirements with ``target``'s markers and fetch a wheel for each package.

    Packages this machine built are pinned to the same version; their requirements are read
    from those wheels, so the binaries are fetched in one pip run at the end (per package only
    when that run fails, to name what has no wheel).
    """
    report = TargetReport(target, [f"fklab=={fklab.version}"])
    env = target.markers()
    seen: set[str] = set()
    fetch: list[str] = []
    queue = [r for r in fklab.requires if _applies(r.marker, env)]
    while queue:
        requirement = queue.pop(0)
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        wheel = base.get(name)
        if wheel is not None and not (wheel.pure or native):
            fetch.append(f"{name}=={wheel.version}")
        elif wheel is None:  # needed on that target only (e.g. colorama on Windows)
            _download([f"{name}{requirement.specifier}"], target, out)
            wheel = _wheel_for(name, target, out)
            if wheel is None:
                report.missing.append(str(requirement))
                continue
        report.packages.append(f"{wheel.name}=={wheel.version}")
        queue.extend(r for r in wheel.requires if _applies(r.marker, env))
    if fetch and not _download(fetch, target, out):
        report.missing.extend(spec for spec in fetch if not _download([spec], target, out))
    report.packages = sorted(set(report.packages) - set(report.missing))
    return report


def _applies(marker: Marker | None, env: dict[str, str]) -> bool:
    if marker is None:
        return True
    try:
        return marker.evaluate(env)
    except Exception:  # noqa: BLE001 - an odd marker of a third-party package: keep the requirement out
        return False

