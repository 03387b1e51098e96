"""``fklab datasets audit``: checks built evidence against rules of the real world.

Each rule (``rules/``) reads a build as an examiner would, through TSK and the
kit's capture reader, and reports every place that contradicts how real systems
behave (a TTL that rises, a .docx stored uncompressed, an IBAN that fails its
check digits, template text left in a name)::

    from forensics_kit.builder.audit import audit_cases

    for finding in audit_cases([Path("datasets/net-04.yaml")], variants=2):
        print(finding.line())
"""

from __future__ import annotations

from forensics_kit.builder.audit.errors import AuditError
from forensics_kit.builder.audit.evidence import Blob, BuiltCase, DiskFile, LabQuestion, Packet
from forensics_kit.builder.audit.finding import Finding
from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.audit.run import audit_build, audit_cases, audit_variants, rules

__all__ = [
    "AuditError", "AuditRule", "Blob", "BuiltCase", "DiskFile", "Finding", "LabQuestion", "Packet",
    "audit_build", "audit_cases", "audit_variants", "rules",
]
