"""Reference solver for net-02: find the DNS tunnel and decode what it carried, from the capture alone."""

from __future__ import annotations

import base64
import binascii
import re
import string
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.hashing import hash_bytes
from forensics_kit.net import detect, dns_messages

BASE32 = set(string.ascii_lowercase + "234567")
HEX = set(string.hexdigits.lower())


def _decode(chunk: str, encoding: str) -> bytes:
    if encoding == "hex":
        return binascii.unhexlify(chunk)
    return base64.b32decode(chunk.upper() + "=" * (-len(chunk) % 8))


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    capture = evidence["capture"]
    answers: dict[str, Any] = {}

    findings = [f for f in detect(capture, ["dnstunnel"]) if f.kind == "dns-tunnel"]
    tunnel = max(findings, key=lambda f: f.numbers["bytes"])
    domain, client = tunnel.targets[0], tunnel.source
    log(f"net detect: {tunnel.summary}")
    answers["tunnel_domain"], answers["client_ip"] = domain, client

    messages = [m for m in dns_messages(capture) if m.qname]
    office = Counter(m.dst for m in messages if not m.response and not m.qname.endswith("." + domain))
    queries = [m for m in messages if not m.response and m.src == client and m.qname.endswith("." + domain)]
    servers = Counter(m.dst for m in queries)
    answers["tunnel_resolver"] = servers.most_common(1)[0][0]
    answers["query_count"] = len(queries)
    answers["start_time"] = queries[0].time
    answers["record_type"] = Counter(m.qtype for m in queries).most_common(1)[0][0]
    log(f"net dns: {len(queries)} {answers['record_type']} queries from {client} to "
        f"{answers['tunnel_resolver']} (other lookups go to {office.most_common(1)[0][0]}), "
        f"first at {queries[0].time} (frame {queries[0].frame})")

    # <sequence>.<chunk>.<domain>: keep one name per sequence number, in order.
    chunks: dict[int, str] = {}
    for m in queries:
        labels = m.qname[: -len(domain) - 1].split(".")
        chunks.setdefault(int(labels[0], 16), "".join(labels[1:]))
    alphabet = set("".join(chunks.values()))
    encoding = "hex" if alphabet <= HEX else "base32" if alphabet <= BASE32 else "unknown"
    answers["encoding"] = encoding
    data = b"".join(_decode(chunks[n], encoding) for n in sorted(chunks))
    answers["data_size"] = len(data)
    answers["data_sha256"] = hash_bytes(data, ["sha256"])["sha256"]
    log(f"decode: {len(chunks)} chunks (sequence {min(chunks):04x}-{max(chunks):04x}), alphabet {encoding}, "
        f"{len(data)} bytes, SHA-256 {answers['data_sha256']}")

    text = data.decode("utf-8")
    contract = re.search(r"contract draft (\S+)", text)
    bid = re.search(r"Final bid[^:]*:\s*(\d+)\s*EUR", text)
    answers["contract_no"] = contract.group(1) if contract else None
    answers["bid_amount"] = int(bid.group(1)) if bid else None
    log(f"decoded text: '{text.splitlines()[0]}' ... contract draft {answers['contract_no']}, "
        f"final bid {answers['bid_amount']} EUR")
    return answers
