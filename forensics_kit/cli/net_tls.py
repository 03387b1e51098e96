"""``fklab net tls``: TLS handshakes per connection (SNI, JA3/JA3S, certificate)."""

from __future__ import annotations

from pathlib import Path

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.net import PCAP, group, warn_all
from forensics_kit.cli.output import emit_records


@group.command("tls")
@PCAP
@json_option
def tls_cmd(pcap: Path, as_json: bool) -> None:
    """TLS connections on any port: SNI, versions, JA3/JA3S, ALPN, server certificate."""
    from forensics_kit.net.tls import tls_sessions

    warnings: list[str] = []
    with progress_bar(not as_json) as progress:
        sessions = tls_sessions(pcap, warnings, progress)
    warn_all(warnings)
    emit_records(
        (s.to_dict() for s in sessions),
        [
            ("frame", "Frame"),
            ("client", "Client"),
            ("server", "Server"),
            ("sport", "Port"),
            ("sni", "SNI"),
            ("version", "Version"),
            ("ja3_hash", "JA3"),
            ("cert_subject", "Certificate subject"),
            ("not_after", "Valid until"),
        ],
        as_json,
    )
