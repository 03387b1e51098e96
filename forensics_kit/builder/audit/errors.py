"""Errors of the audit: a build it cannot read is a BuildError with the folder and the problem."""

from __future__ import annotations

from forensics_kit.errors import BuildError


class AuditError(BuildError):
    """The audit cannot read a build (no truth.json, an artefact missing or unreadable)."""
