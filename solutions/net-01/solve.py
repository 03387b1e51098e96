"""Reference solver for net-01: answers every question from the capture alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.net import dns_messages, http_transactions, summarize

PAGE_TYPES = ("text/html", "text/css", "application/javascript", "image/")


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    capture = evidence["capture"]
    answers: dict[str, Any] = {}
    summary = summarize(capture)
    answers["packets"] = summary.packets
    log(f"net summary: {summary.packets} packets from {summary.first_time} to {summary.last_time}")

    queries = [m for m in dns_messages(capture) if not m.response and m.qname and m.service == "dns"]
    clients = Counter(m.src for m in queries)
    workstation = clients.most_common(1)[0][0]
    resolver = Counter(m.dst for m in queries if m.src == workstation).most_common(1)[0][0]
    answers["workstation_ip"] = workstation
    answers["resolver_ip"] = resolver
    answers["domains"] = sorted({m.qname for m in queries})
    log(f"net dns: {workstation} asked {resolver} for {len(answers['domains'])} names: {', '.join(answers['domains'])}")

    transactions = [t for t in http_transactions(capture) if t.src == workstation]
    pages = Counter(t.user_agent for t in transactions if t.content_type and t.content_type.startswith("text/html"))
    browser = pages.most_common(1)[0][0]  # the person's browser; Windows' own fetches (CryptoAPI, NCSI) differ
    log(f"net http: the workstation's browser sends User-Agent {browser!r}")
    downloads = [t for t in transactions if t.user_agent == browser and t.content_type
                 and not t.content_type.startswith((*PAGE_TYPES, "text/"))]
    if downloads:
        t = downloads[0]
        answers.update(
            download_host=t.host,
            download_uri=t.uri,
            download_frame=t.frame,
            user_agent=t.user_agent,
            download_sha256=t.sha256,
        )
        log(
            f"net http: frame {t.frame} GET http://{t.host}{t.uri} -> {t.status} {t.content_type}, "
            f"body SHA-256 {t.sha256}"
        )
    return answers
