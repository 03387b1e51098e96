"""Reference solver for net-05: a web server attack, from the capture alone.

It reads every HTTP transaction, flags injection URIs after URL-decoding them,
cuts uploaded files out of multipart bodies with the standard e-mail parser,
and reads the web shell's commands from its query strings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from forensics_kit.hashing import hash_bytes
from forensics_kit.net import http_transactions
from forensics_kit.net.http_wire import header

SQLI = re.compile(r"'|\bunion\b.+\bselect\b|\b(?:and|or)\b\s+\d+\s*=\s*\d+|--\s*$", re.IGNORECASE)
SHELL_EXT = re.compile(r"\.(?:php\d?|phtml|jsp|aspx?)$", re.IGNORECASE)


def uploaded_files(t) -> list[tuple[str, bytes]]:
    """(filename, bytes) of every file part of a multipart/form-data request."""
    content_type = header(t.request_headers, "Content-Type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        return []
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + t.request_body)
    return [(part.get_filename(), part.get_payload(decode=True)) for part in message.iter_parts()
            if part.get_filename()]


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    transactions = sorted(http_transactions(evidence["capture"]), key=lambda t: t.frame)
    log(f"net http: {len(transactions)} requests from {len(Counter(t.src for t in transactions))} clients")

    injections = [t for t in transactions if SQLI.search(unquote(urlsplit(t.uri).query))]
    attacker = Counter(t.src for t in injections).most_common(1)[0][0]
    first = injections[0]
    answers.update(attacker_ip=attacker, sqli_count=len(injections), first_sqli_uri=first.uri,
                   scanner_agent=first.user_agent)
    log(f"net http: {len(injections)} URIs with SQL syntax once decoded, all from {attacker}; first at frame "
        f"{first.frame}: {first.uri} -> {first.status} ({first.user_agent})")
    for t in injections:
        log(f"  frame {t.frame}: {unquote(t.uri)} -> {t.status}")

    shell_uri = None
    for t in transactions:
        if t.method != "POST":
            continue
        for name, data in uploaded_files(t):
            digest = hash_bytes(data)["sha256"]
            if t.src == attacker and SHELL_EXT.search(name):
                shell_uri = name
                answers.update(upload_uri=t.uri, upload_time=t.time, shell_name=name, shell_sha256=digest)
                log(f"net http: frame {t.frame} POST {t.uri} multipart file {name!r} ({len(data)} bytes, "
                    f"SHA-256 {digest}) at {t.time}; server said {t.body.decode(errors='replace')!r}")
            elif t.src != attacker:
                answers.update(exfil_ip=t.dst, exfil_sha256=digest, exfil_name=name)
                lines = data.decode(errors="replace").strip().splitlines()
                log(f"net http: frame {t.frame} {t.src} (the web server) POSTed {name!r} to {t.dst}{t.uri} "
                    f"({t.user_agent}): {len(lines) - 1} CSV records, SHA-256 {digest}")

    commands: list[str] = []
    for t in transactions:
        path = urlsplit(t.uri).path
        if t.src == attacker and shell_uri and path.endswith("/" + shell_uri):
            for _, value in parse_qsl(urlsplit(t.uri).query):
                log(f"  frame {t.frame} {t.time}: shell command {value!r}")
                if value.startswith(("curl", "wget")):
                    break
                commands.append(value)
            else:
                continue
            break
    answers["shell_commands"] = commands
    log(f"web shell: {len(commands)} commands before the data left: {commands}")
    return answers
