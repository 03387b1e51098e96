"""The audit's rules, one small class each; importing this package registers them all."""

from __future__ import annotations

from forensics_kit.builder.audit.rules import (  # noqa: F401 - registration on import
    check_digits,
    cross_source,
    dns,
    documents,
    ext_semantics,
    fat_time,
    filesystem,
    http_clients,
    linux_accounts,
    linux_logs,
    mail,
    names,
    ooxml,
    questions,
    tcp_stack,
    templates,
    tls,
    ttl,
    windows_artefacts,
    windows_prefetch,
    windows_usb,
)
