"""Evidence type implementations; importing this package registers them all."""

from __future__ import annotations

from forensics_kit.builder.artefacts.disk import DiskEvidence
from forensics_kit.builder.artefacts.pcap import PcapEvidence

__all__ = ["DiskEvidence", "PcapEvidence"]
