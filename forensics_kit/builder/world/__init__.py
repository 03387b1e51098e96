"""The world a case happened in: operating systems of its hosts and where they sit on the network.

Evidence renderers (the capture writer today) and the audit read the same facts
from here, so a host's packets carry its OS's initial TTL minus its hops to the
capture point, and the audit checks exactly that rule.
"""

from __future__ import annotations

from forensics_kit.builder.world.network import hops_of, initial_ttl, is_lan_address, ttl_at_capture
from forensics_kit.builder.world.os_profile import (
    INITIAL_TTLS,
    OsProfile,
    ftp_greeting,
    os_families,
    os_profile,
    web_server_software,
)

__all__ = [
    "INITIAL_TTLS", "OsProfile", "ftp_greeting", "hops_of", "initial_ttl", "is_lan_address", "os_families",
    "os_profile", "ttl_at_capture", "web_server_software",
]
