"""Errors of the forensics kit.

Every error the kit raises derives from :class:`ForensicsKitError`; back-end
errors (pytsk3, dfvfs, scapy, yara) are caught at the boundary and re-raised as
one of these, so callers (the CLI, solvers, the grader) catch one base class.
"""

from __future__ import annotations

from pathlib import Path


class ForensicsKitError(Exception):
    """Base of every error raised by forensics_kit."""


class EvidenceError(ForensicsKitError):
    """Evidence that cannot be read as what it claims to be.

    The message always names the file and the problem on one line, e.g.
    ``usb.dd: not a disk image or file system (no partition table, no file system found)``.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class NotFoundError(ForensicsKitError):
    """A file, inode, partition or stream asked for is not in the evidence."""


class RecipeError(ForensicsKitError):
    """A dataset recipe that cannot be built; the message names recipe, item and problem.

    e.g. ``datasets/disk-01.yaml: item files[3] (invoice): time 2031-01-01 is outside the window``.
    """

    def __init__(self, recipe: str | Path, item: str | None, problem: str) -> None:
        self.recipe = str(recipe)
        self.item = item
        self.problem = problem
        where = f"{self.recipe}: {item}: " if item else f"{self.recipe}: "
        super().__init__(where + problem)


class BuildError(ForensicsKitError):
    """A dataset build that failed for a reason outside the recipe.

    e.g. a missing system tool (``mcopy not found: install the Debian package mtools``)
    or a tool that exited with an error; the message is one line.
    """
