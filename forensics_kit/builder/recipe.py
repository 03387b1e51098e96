"""Recipes: loading a case's YAML, checking it strictly, and naming every problem precisely.

Checks happen in two passes: the published JSON Schema (``recipe.schema.json``,
closed key sets) and semantic checks the schema cannot say (ids unique, case id
equal to the file name, templates naming known parameters, parameter ranges).
Checks that depend on drawn values (an IP that must be valid, a time inside the
window, files fitting on the image) run when a build plans its evidence.
Every problem is a one-line :class:`RecipeError` naming the recipe and the item.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from forensics_kit.builder.parameters import ParameterType
from forensics_kit.builder.template import iter_template_names, whole_template_name
from forensics_kit.errors import RecipeError
from forensics_kit.timefmt import parse_iso

SCHEMA_PATH = Path(__file__).with_name("recipe.schema.json")
_HINTS = {
    "size": "use e.g. 16MiB, 512KiB or a number of bytes",
    "file": "a plain file name such as usb.dd",
    "case": "lower-case letters, digits and '-'",
    "path": "an absolute path such as /Docs/plan.txt",
    "id": "letters, digits, '_' or '-'",
}


@dataclass(frozen=True)
class Recipe:
    """A checked recipe: its id, titles, default seed, source file and the raw data."""

    case: str
    title: dict[str, str]
    seed: int
    path: Path
    sha256: str
    data: dict[str, Any] = field(repr=False)

    @property
    def evidence_ids(self) -> list[str]:
        """Ids of the recipe's evidence, in the order written."""
        return [entry["id"] for entry in self.data["evidence"]]

    @property
    def window(self) -> tuple[float, float] | None:
        """The case's time window as POSIX seconds, or None when it has none."""
        window = self.data.get("window")
        if not window:
            return None
        return parse_iso(window["start"]).timestamp(), parse_iso(window["end"]).timestamp()

    def fail(self, location: tuple[str | int, ...], problem: str) -> RecipeError:
        """A RecipeError for a place in this recipe (a path of keys and indexes)."""
        item, where = describe_location(self.data, location)
        return RecipeError(self.path, item, f"{where}: {problem}" if where else problem)


@functools.cache
def recipe_schema() -> dict[str, Any]:
    """The published JSON Schema of recipes."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load_recipe(path: str | Path) -> Recipe:
    """Read and check one recipe; raise RecipeError on the first problem found."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecipeError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_StrictLoader)  # noqa: S506 - safe loader subclass
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RecipeError(path, None, f"not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(data, dict):
        raise RecipeError(path, None, "a recipe must be a mapping of keys (case, title, seed, ...)")
    _check_schema(path, data)
    recipe = Recipe(
        case=data["case"],
        title=data["title"],
        seed=data["seed"],
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        data=data,
    )
    _check_semantics(recipe)
    return recipe


def list_recipes(datasets_dir: str | Path) -> list[Recipe]:
    """Load every ``*.yaml`` recipe of a folder, sorted by case id."""
    return sorted(
        (load_recipe(p) for p in sorted(Path(datasets_dir).glob("*.yaml"))), key=lambda r: r.case
    )


def describe_location(data: Any, location: tuple[str | int, ...]) -> tuple[str | None, str]:
    """Split a location into its item (``evidence[0] (usb) items[3] (transfer)``) and field."""
    item_parts: list[str] = []
    field_parts: list[str] = []
    node = data
    for index, key in enumerate(location):
        child = node[key] if isinstance(node, dict | list) and _has(node, key) else None
        if isinstance(key, int):
            label = f"{location[index - 1]}[{key}]" if index else f"[{key}]"
            if isinstance(child, dict) and isinstance(child.get("id"), str):
                label += f" ({child['id']})"
            item_parts.append(label)
            field_parts = []
        elif index + 1 < len(location) and isinstance(location[index + 1], int):
            pass  # the list's name is part of the next label
        elif (
            index == 1
            and location[0] == "parameters"
            or (index >= 1 and location[index - 1] == "hosts")
        ):
            item_parts.append(f"{location[index - 1]}.{key}")
            field_parts = []
        elif key not in ("parameters", "hosts"):
            field_parts.append(str(key))
        node = child
    return (" ".join(item_parts) or None), ".".join(field_parts)


def _has(node: dict | list, key: str | int) -> bool:
    return key in node if isinstance(node, dict) else isinstance(key, int) and 0 <= key < len(node)


def _check_schema(path: Path, data: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(recipe_schema())
    errors = list(validator.iter_errors(_with_number_samples(data)))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    item, where = describe_location(data, tuple(error.absolute_path))
    problem = _explain(error)
    raise RecipeError(path, item, f"{where}: {problem}" if where else problem)


def _with_number_samples(data: dict[str, Any]) -> dict[str, Any]:
    """The recipe with each whole-template value of a numeric parameter stood in by a sample.

    ``jitter_pct: "{{ jitter }}"`` is rendered as a number at build time, so the schema
    checks it as one (an integer's ``min``, a choice's first value); session builders
    check the drawn values themselves.
    """
    params = data.get("parameters")
    if not isinstance(params, dict) or "evidence" not in data:
        return data
    samples: dict[str, Any] = {}
    for name, spec in params.items():
        if not isinstance(spec, dict):
            continue
        if spec.get("type") == "integer" and isinstance(spec.get("min"), int):
            samples[name] = spec["min"]
        elif spec.get("type") == "choice" and spec.get("values") and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in spec["values"]
        ):
            samples[name] = spec["values"][0]

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            name = whole_template_name(value)
            return samples.get(name, value) if name else value
        if isinstance(value, dict):
            return {key: fill(child) for key, child in value.items()}
        if isinstance(value, list):
            return [fill(child) for child in value]
        return value

    return {**data, "evidence": fill(data["evidence"])} if samples else data


def _explain(error: jsonschema.ValidationError) -> str:
    """Turn a jsonschema error into a short sentence a trainer understands."""
    value, schema = error.instance, error.schema
    if error.validator == "additionalProperties" and isinstance(value, dict):
        known = sorted(schema.get("properties", {}))
        extra = sorted(set(value) - set(known))
        return f"unknown key {', '.join(map(repr, extra))} (known: {', '.join(known)})"
    if error.validator == "required":
        return f"missing key {error.message.split(' is a required')[0]}"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"expected {wanted}, got {json.dumps(value, default=str)}"
    if error.validator == "enum":
        return f"unknown value {value!r} (known: {', '.join(map(str, error.validator_value))})"
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] in _HINTS:
        return f"{value!r} is not in the expected form ({_HINTS[error.absolute_path[-1]]})"
    if error.validator == "pattern":
        return f"{value!r} is not in the expected form (pattern {error.validator_value})"
    if error.validator == "oneOf" and "content" in [str(p) for p in error.absolute_path][-1:]:
        return "content needs exactly one of 'text' or 'generate'"
    return error.message


def _check_semantics(recipe: Recipe) -> None:
    data, stem = recipe.data, recipe.path.stem
    if recipe.case != stem:
        raise recipe.fail(("case",), f"case id {recipe.case!r} differs from the file name {stem!r}")
    window = None
    if "window" in data:
        try:
            window = recipe.window
        except ValueError as exc:
            raise recipe.fail(("window",), f"bad time: {exc}") from exc
        if window[0] >= window[1]:
            raise recipe.fail(("window",), "start is not before end")
    params = data.get("parameters", {})
    for name, spec in params.items():
        problem = ParameterType.lookup(spec["type"])().check(spec, window)
        earlier = list(params)[: list(params).index(name)]
        if (
            not problem
            and "after" in spec
            and (spec["after"] not in earlier or params[spec["after"]]["type"] != "time")
        ):
            problem = f"'after' must name a time parameter written before (got {spec['after']!r})"
        if problem:
            raise recipe.fail(("parameters", name), problem)
    templated = [*iter_template_names(data.get("evidence", []), ("evidence",)),
                 *iter_template_names(data.get("world", {}), ("world",)),
                 *iter_template_names(data.get("timeline", []), ("timeline",))]
    for where, name in templated:
        if name not in params:
            raise recipe.fail(
                where, f"unknown parameter {name!r} in template (known: {', '.join(params)})"
            )
    _check_unique(recipe)
    _check_timeline(recipe)


def _check_timeline(recipe: Recipe) -> None:
    """Timeline events name world hosts; a capture or log that asks for the timeline has a world."""
    data = recipe.data
    world = data.get("world", {}).get("hosts", {})
    for index, event in enumerate(data.get("timeline", [])):
        for role in ("host",) if event.get("do") in ("useradd", "passwd") else ("from", "to"):
            if event.get(role) not in world:
                raise recipe.fail(("timeline", index), f"{role}: unknown host {event.get(role)!r} "
                                                       f"(world hosts: {', '.join(world) or 'none'})")
    if "timeline" in data or not world:
        return
    raise recipe.fail(("world",), "world hosts are declared but there is no timeline that uses them")


def _check_unique(recipe: Recipe) -> None:
    seen: dict[str, set[str]] = {"evidence": set(), "file": set(), "item": set(), "session": set()}
    for e_index, entry in enumerate(recipe.data["evidence"]):
        for kind, value in (("evidence", entry["id"]), ("file", entry["file"])):
            if value in seen[kind]:
                raise recipe.fail(("evidence", e_index), f"duplicate {kind} {value!r}")
            seen[kind].add(value)
        paths: set[str] = set()
        for list_name, kind in (("items", "item"), ("sessions", "session")):
            for index, child in enumerate(entry.get(list_name, [])):
                if child["id"] in seen[kind]:
                    raise recipe.fail(
                        ("evidence", e_index, list_name, index),
                        f"duplicate {kind} id {child['id']!r}",
                    )
                seen[kind].add(child["id"])
                if "path" in child:
                    if child["path"].lower() in paths:
                        raise recipe.fail(
                            ("evidence", e_index, list_name, index),
                            f"duplicate path {child['path']!r}",
                        )
                    paths.add(child["path"].lower())
        hosts = entry.get("hosts", {})
        if entry.get("timeline"):  # the world's hosts join a capture that renders the timeline
            hosts = {**recipe.data.get("world", {}).get("hosts", {}), **hosts}
        for index, session in enumerate(entry.get("sessions", [])):
            named = [(role, session[role]) for role in ("client", "server", "resolver", "gateway", "upstream")
                     if role in session]
            named += [("hosts", name) for name in session.get("hosts", [])]  # noise
            for role, name in named:
                if name not in hosts:
                    raise recipe.fail(
                        ("evidence", e_index, "sessions", index),
                        f"{role}: unknown host {name!r} (known: {', '.join(hosts)})",
                    )


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML loader that keeps times as text and rejects duplicate keys."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key_node, deep=True) for key_node, _ in node.value]
        for index, key in enumerate(keys):
            if key in keys[:index]:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", node.value[index][0].start_mark
                )
        return super().construct_mapping(node, deep=deep)
