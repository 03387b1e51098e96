"""Building a case: draw parameters, make every artefact, write truth.json, all or nothing.

Output goes to ``<build_root>/<case>/<variant or "default">/``. The build runs in a
hidden folder beside it and is renamed into place only when everything worked,
so a failed build leaves nothing half-written and keeps an older good build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import forensics_kit.builder.artefacts  # noqa: F401 - registers the evidence types
from forensics_kit.builder.artefact import BuildContext, EvidenceType
from forensics_kit.builder.content import ContentError
from forensics_kit.builder.parameters import draw_parameters
from forensics_kit.builder.recipe import Recipe, load_recipe
from forensics_kit.builder.template import leftover_templates, render
from forensics_kit.errors import BuildError
from forensics_kit.hashing import hash_file
from forensics_kit.timefmt import iso_utc, parse_iso

Progress = Callable[[str, int, int], None]
_VARIANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class BuildResult:
    """A finished build: where it is, its artefact files by evidence id, and its truth."""

    case: str
    variant: str | None
    directory: Path
    artefacts: dict[str, Path]
    truth: dict[str, Any]


def variant_seed(case: str, variant: str) -> int:
    """The seed of a trainee's variant: first 8 bytes of sha256(case NUL variant)."""
    return int.from_bytes(hashlib.sha256(f"{case}\0{variant}".encode()).digest()[:8], "big")


def build_case(
    recipe: Path | str | Recipe,
    build_root: Path | str,
    variant: str | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build one case (the default build, or a trainee's variant) and return its result.

    Raises:
        RecipeError: the recipe cannot be built (names recipe, item and problem).
        BuildError: a system tool is missing or failed, or the output cannot be written.
    """
    if not isinstance(recipe, Recipe):
        recipe = load_recipe(recipe)
    if variant is not None and (not _VARIANT.match(variant) or variant == "default"):
        raise BuildError(
            f"variant {variant!r}: use 1-64 letters, digits, '.', '_' or '-' (and not 'default')"
        )
    seed = recipe.seed if variant is None else variant_seed(recipe.case, variant)
    params = draw_parameters(recipe.data.get("parameters", {}), seed, recipe.window)
    evidence = render(recipe.data["evidence"], params)
    for where, text in leftover_templates(evidence, ("evidence",)):
        raise recipe.fail(where, f"template text left unrendered in {text[:80]!r}")
    timeline_truth = _render_timeline(recipe, params, seed, evidence)

    case_dir = Path(build_root) / recipe.case
    final = case_dir / (variant or "default")
    created_case_dir = not case_dir.exists()
    try:
        case_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".building", dir=case_dir))
    except OSError as exc:
        raise BuildError(f"cannot create {case_dir}: {exc.strerror or exc}") from exc
    try:
        truth = _build_into(staging, recipe, seed, variant, params, evidence, progress, timeline_truth)
        _replace(staging, final)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if created_case_dir:
            _remove_if_empty(case_dir)
        if isinstance(exc, OSError):
            raise BuildError(
                f"{recipe.case}: cannot write the build: {exc.strerror or exc}"
            ) from exc
        raise
    artefacts = {entry["id"]: final / entry["file"] for entry in evidence}
    return BuildResult(recipe.case, variant, final, artefacts, truth)


def _build_into(
    staging: Path,
    recipe: Recipe,
    seed: int,
    variant: str | None,
    params: dict[str, Any],
    evidence: list[dict[str, Any]],
    progress: Progress | None,
    timeline_truth: dict[str, Any] | None = None,
) -> dict[str, Any]:
    truth: dict[str, Any] = {
        "case": recipe.case,
        "variant": variant,
        "seed": seed,
        "recipe_sha256": recipe.sha256,
        "parameters": params,
        "artefacts": {},
        "hosts": {},
        "items": {},
        "sessions": {},
    }
    if timeline_truth:
        truth["timeline"] = timeline_truth
    with tempfile.TemporaryDirectory(prefix="fklab-scratch-") as scratch:
        for index, entry in enumerate(evidence):
            if progress:
                progress(f"{recipe.case}: {entry['id']} ({entry['type']})", index, len(evidence))
            context = BuildContext(recipe, seed, params, index, Path(scratch))
            output = staging / entry["file"]
            try:
                part = EvidenceType.lookup(entry["type"])().build(entry, context, output)
            except ContentError as exc:
                raise context.fail((), str(exc)) from None
            truth["artefacts"][entry["id"]] = {
                "file": entry["file"],
                "type": entry["type"],
                "size": output.stat().st_size,
                **hash_file(output),
                **part.summary,
            }
            truth["items"].update(part.items)
            truth["sessions"].update(part.sessions)
            truth["hosts"].update(part.hosts)
    if progress:
        progress(f"{recipe.case}: done", len(evidence), len(evidence))
    text = json.dumps(truth, indent=2, ensure_ascii=False) + "\n"
    (staging / "truth.json").write_text(text, encoding="utf-8")
    return truth


def _render_timeline(recipe: Recipe, params: dict[str, Any], seed: int,
                     evidence: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Render the recipe's ``timeline`` into the evidence that records it (in place); its truth.

    ``auth_log`` contents with ``timeline: <host>`` get sshd's lines for the connections
    to that host, ``access_log`` and ``vsftpd_log`` contents nginx's and vsftpd's lines for
    the web requests and FTP sessions to it (in the host's ``tz``), captures with
    ``timeline: true`` get the connections as ``ssh``, ``http_get`` and ``ftp`` sessions
    (and the world's hosts they need), all from the same planned values.
    """
    from forensics_kit.builder import accounts
    from forensics_kit.builder import timeline as tl
    from forensics_kit.builder import timeline_services as services

    if "timeline" not in recipe.data:
        return None
    world = render(recipe.data.get("world", {}), params).get("hosts", {})
    events = render(recipe.data["timeline"], params)
    for where, text in leftover_templates({"world": world, "timeline": events}):
        raise recipe.fail(where, f"template text left unrendered in {text[:80]!r}")
    try:
        plans = tl.plan(events, world, seed)
    except (ValueError, KeyError) as exc:
        raise recipe.fail(("timeline",), str(exc)) from None
    connections = [p for p in plans if isinstance(p, tl.Connection)]
    renderers = {"auth_log": lambda plans, host, world: [*tl.auth_events(connections, host, world),
                                                          *accounts.auth_events(plans, host, world)],
                 "access_log": services.access_events, "vsftpd_log": services.vsftpd_events,
                 "passwd": accounts.account_events, "group": accounts.account_events,
                 "shadow": accounts.shadow_events}
    for disk_id, items in accounts.home_items(plans, world).items():  # useradd -m: /etc/skel in the new home
        for entry in evidence:
            if entry["id"] == disk_id:
                holder = entry if "filesystem" in entry else (entry.get("partitions") or [{}])[0]
                holder.setdefault("items", []).extend(items)
                made = accounts.home_directories(plans, world).get(disk_id, {})
                holder.setdefault("filesystem", {}).setdefault("directories", {}).update(made)
    for index, entry in enumerate(evidence):
        if entry["type"] == "pcap" and entry.pop("timeline", False):
            hosts = entry.setdefault("hosts", {})
            for name, host in world.items():
                kept = ("ip", "mac", "name", "os", "hops", "forwards_dns_to", "browser")
                hosts.setdefault(name, {k: v for k, v in host.items() if k in kept})
            start = parse_iso(str(entry["start"])).timestamp()
            entry.setdefault("sessions", []).extend(tl.ssh_sessions(connections, start, set(hosts)))
            entry["sessions"].extend(services.capture_sessions(plans, start, set(hosts)))
        for content, item in list(_timeline_logs(entry, renderers)):
            host, kind = content.pop("timeline"), content["generate"]
            if host not in world:
                raise recipe.fail(("evidence", index), f"{kind} timeline: unknown host {host!r} "
                                                       f"(world hosts: {', '.join(world)})")
            rendered = renderers[kind](plans, host, world)
            content["events"] = [*content.get("events", []), *rendered]
            if kind != "auth_log":
                content.setdefault("tz", world[host].get("tz", "UTC"))
                if item is not None and content["events"] and "modified" not in item.get("times", {}):
                    # the server appends each line as it happens: the file was last written with the last one
                    last = max(parse_iso(str(e["time"])).timestamp() for e in content["events"])
                    item.setdefault("times", {})["modified"] = iso_utc(int(last), round(last % 1 * 1e6) * 1000)
    return {**tl.event_truth(connections), **services.service_truth(plans)}


def _timeline_logs(node: Any, kinds: dict[str, Any], item: dict[str, Any] | None = None):
    """``(content, item)`` of every log content (``generate`` one of ``kinds``) with a ``timeline`` key
    inside an evidence entry; ``item`` is the planted item holding it (None elsewhere)."""
    if isinstance(node, dict):
        if node.get("generate") in kinds and "timeline" in node:
            yield node, item
        for key, child in node.items():
            yield from _timeline_logs(child, kinds, node if key == "content" and "path" in node else None)
    elif isinstance(node, list):
        for child in node:
            yield from _timeline_logs(child, kinds)


def _replace(staging: Path, final: Path) -> None:
    """Swap the finished staging folder in; an older build is removed only afterwards."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.{os.getpid()}.old")
        final.rename(old)
    try:
        staging.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_if_empty(directory: Path) -> None:
    try:
        directory.rmdir()
    except OSError:
        pass
