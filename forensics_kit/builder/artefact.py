"""Evidence types: the contract each kind of artefact (disk image, capture) fulfils.

An evidence type gets one rendered ``evidence:`` entry of a recipe and a
:class:`BuildContext`, writes its file, reads it back and returns what it planted
as an :class:`ArtefactTruth`. Implementations live in ``artefacts/``.
"""

from __future__ import annotations

import hashlib
import random
from abc import abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from forensics_kit.builder.recipe import Recipe
from forensics_kit.builder.registry import Registered
from forensics_kit.errors import RecipeError
from forensics_kit.timefmt import parse_iso

Location = tuple[str | int, ...]


@dataclass
class BuildContext:
    """What an evidence type needs from the build: recipe, seed, drawn values, scratch space.

    Attributes:
        recipe: the checked recipe (for error messages and the window).
        seed: the build's seed (the recipe's, or the variant's).
        parameters: the drawn parameter values.
        index: position of this evidence in the recipe's ``evidence:`` list.
        scratch: a private temporary folder, removed after the build.
    """

    recipe: Recipe
    seed: int
    parameters: dict[str, Any]
    index: int
    scratch: Path

    def fail(self, location: Location, problem: str) -> RecipeError:
        """A RecipeError for a place inside this evidence entry."""
        return self.recipe.fail(("evidence", self.index, *location), problem)

    def rng(self, *parts: str) -> random.Random:
        """A generator of its own for one purpose (an item's bytes, the volume id).

        Seeded from the build seed and the names, so adding an item does not
        change the bytes of the others.
        """
        key = "/".join([str(self.seed), *parts]).encode("utf-8")
        return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))

    def time(self, location: Location, value: Any) -> float:
        """POSIX seconds of a planted time; it must parse and lie inside the case window."""
        try:
            seconds = parse_iso(str(value)).timestamp()
        except ValueError:
            raise self.fail(
                location, f"bad time {value!r} (use e.g. 2024-03-01T10:00:00Z)"
            ) from None
        window = self.recipe.window
        if window and not window[0] <= seconds <= window[1]:
            raise self.fail(
                location,
                f"time {value} is outside the case window "
                f"{self.recipe.data['window']['start']} .. {self.recipe.data['window']['end']}",
            )
        return seconds


@dataclass
class ArtefactTruth:
    """What one artefact planted, as read back from it.

    Attributes:
        summary: facts about the artefact (file system, packet count...), merged into
            ``truth.artefacts.<id>`` after file, type, size and hashes.
        items: planted files by item id (``truth.items``).
        sessions: traffic sessions by session id (``truth.sessions``).
        hosts: hosts by host id (``truth.hosts``).
    """

    summary: dict[str, Any] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)


class EvidenceType(Registered):
    """Contract: ``build(entry, context, output) -> ArtefactTruth``.

    ``entry`` is the rendered recipe entry (templates filled). Implementations
    check everything before writing, raise RecipeError via ``context.fail`` for
    recipe problems, and take every truth value from the written file.
    """

    kind: ClassVar[str] = "evidence type"
    registry: ClassVar[dict[str, type[Registered]]] = {}

    @abstractmethod
    def build(self, entry: dict[str, Any], context: BuildContext, output: Path) -> ArtefactTruth:
        """Write the artefact to ``output`` and return its truth."""
