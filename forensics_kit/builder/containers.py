"""How a disk image is delivered: raw (dd), split raw (``.001``, ``.002``...) or EnCase E01.

The disk evidence always builds a raw image first; this module then writes the
container the recipe asks for under the evidence's ``file`` name (the first
segment). E01 files are written by ewfacquire under libfaketime at the
recipe's ``acquired`` time, with the examiner, case and evidence numbers and
notes from the recipe, so two builds on the same machine are identical.
Left machine-dependent: ewfacquire stores its own version ("Software version
used") and the operating system name ("Linux"), so an E01 built with another
libewf release differs in those header bytes (the media and its hashes do not).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from forensics_kit.builder.volume import faketime_library, parse_size, run_env, stamp

_SEGMENT = re.compile(r"\.(\d{3})$")
_E01 = re.compile(r"\.E01$")
_EWF_FIELDS = {
    "examiner": "-e",
    "case_number": "-C",
    "evidence_number": "-E",
    "description": "-D",
    "notes": "-N",
}
_MIN_EWF_SEGMENT = 1 << 20


def check(entry: dict[str, Any], size: int) -> str | None:
    """Problem with the container settings and the file name, None when they are fine."""
    spec = container_spec(entry)
    fmt, name = spec["format"], entry["file"]
    if fmt == "split" and not _SEGMENT.search(name):
        return f"file: a split image's first segment is named like {name}.001"
    if fmt == "split" and spec.get("segment_size", 0) < 512:
        return "container.segment_size: give the segment size (e.g. 4MiB)"
    if fmt == "e01" and not _E01.search(name):
        return f"file: an E01 image is named like {Path(name).stem}.E01"
    if fmt == "e01" and spec.get("segment_size") and spec["segment_size"] < _MIN_EWF_SEGMENT:
        return "container.segment_size: E01 segments are at least 1MiB"
    return None


def container_spec(entry: dict[str, Any]) -> dict[str, Any]:
    """The recipe's ``container`` as a dict (a bare ``raw`` or ``e01`` is allowed)."""
    value = entry.get("container", "raw")
    spec = {"format": value} if isinstance(value, str) else dict(value)
    if "segment_size" in spec:
        try:
            spec["segment_size"] = parse_size(spec["segment_size"])
        except ValueError:
            spec["segment_size"] = 0
    return spec


def write(raw: Path, output: Path, spec: dict[str, Any], acquired: float) -> dict[str, Any]:
    """Write ``raw`` as the container under ``output``; return the truth's container facts."""
    media = _media_hashes(raw)
    fmt = spec["format"]
    if fmt == "raw":
        if raw != output:
            shutil.move(raw, output)
        return {"container": "raw", "segments": [output.name], "media": media}
    if fmt == "split":
        segments = _split(raw, output, spec["segment_size"])
        return {"container": "split", "segments": segments, "media": media}
    return _e01(raw, output, spec, acquired, media)


def _media_hashes(path: Path) -> dict[str, Any]:
    digests = {name: hashlib.new(name) for name in ("md5", "sha1", "sha256")}
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            for digest in digests.values():
                digest.update(chunk)
    return {"size": size, **{name: digest.hexdigest() for name, digest in digests.items()}}


def _split(raw: Path, output: Path, segment_size: int) -> list[str]:
    match = _SEGMENT.search(output.name)
    assert match is not None
    first, width = int(match.group(1)), len(match.group(1))
    stem = output.name[: match.start()]
    names = []
    with open(raw, "rb") as stream:
        number = first
        while chunk := stream.read(segment_size):
            name = f"{stem}.{number:0{width}d}"
            (output.parent / name).write_bytes(chunk)
            names.append(name)
            number += 1
    raw.unlink()
    return names


def _e01(raw: Path, output: Path, spec: dict[str, Any], acquired: float, media: dict[str, Any]) -> dict[str, Any]:
    target = output.parent / output.name[:-4]
    args = ["-u", "-q", "-t", target, "-d", "sha1", "-f", "encase6"]
    args += ["-c", {"none": "none", "fast": "deflate:fast", "best": "deflate:best"}[spec.get("compression", "none")]]
    args += ["-m", spec.get("media_type", "fixed"), "-M", "physical"]
    if spec.get("segment_size"):
        args += ["-S", str(spec["segment_size"])]
    for key, flag in _EWF_FIELDS.items():
        args += [flag, str(spec.get(key, ""))]
    env = {"LD_PRELOAD": faketime_library(), "FAKETIME": stamp(acquired)}
    run_env("ewfacquire", [*args, raw], env)
    raw.unlink()
    produced = sorted(p.name for p in output.parent.glob(f"{target.name}.[EeFf][0-9A-Za-z][0-9A-Za-z]"))
    if output.name != produced[0]:
        (output.parent / produced[0]).rename(output)
        produced[0] = output.name
    return {
        "container": "e01",
        "segments": produced,
        "media": media,
        "ewf": {
            **{key: str(spec.get(key, "")) for key in _EWF_FIELDS},
            "acquired": stamp(acquired, "%Y-%m-%dT%H:%M:%SZ"),
            "md5": media["md5"],
            "sha1": media["sha1"],
        },
    }
