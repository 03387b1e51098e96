"""Where the shipped recipes live (shared by the builder tests)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO / "datasets"
SHIPPED = sorted(p.stem for p in DATASETS.glob("*.yaml"))
