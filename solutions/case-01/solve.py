"""Reference solver for case-01: the server's disk and its uplink capture, read together.

The disk gives the story from inside (auth.log, the account's shell history, the
document); the capture confirms it from outside (the SSH password guessing, the
long SSH session, the upload). Each finding is checked against the other source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.artefacts import login_summary, read_auth_log, read_bash_history
from forensics_kit.disk import open_image
from forensics_kit.hashing import hash_bytes
from forensics_kit.net import detect, dns_messages, http_transactions
from forensics_kit.net.protocols import read_sessions

UPLOAD = re.compile(r"curl\b.*-F\s+'?[\w-]+=@([^'\s]+)'?\s+(https?://\S+)")
ACCESS = re.compile(r'^(?P<ip>\S+) \S+ \S+ \[[^\]]+\] "(?P<method>\S+) (?P<uri>\S+)[^"]*" (?P<status>\d{3})')
VSFTPD = re.compile(r'\] (?:\[(?P<user>[^\]]*)\] )?(?P<ok>OK |FAIL )?(?P<what>[A-Z]+): '
                    r'Client "(?:::ffff:)?(?P<ip>[^"]+)"')
CONCLUSION = "3"  # brute force of SSH, login, backdoor account, upload by HTTP POST


def _multipart_file(body: bytes, content_type: str) -> tuple[str, bytes]:
    """(file name, bytes) of the first file part of a multipart/form-data body."""
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    for part in body.split(b"--" + boundary):
        head, _, data = part.partition(b"\r\n\r\n")
        name = re.search(rb'filename="([^"]*)"', head)
        if name:
            return name.group(1).decode(), data[: -2] if data.endswith(b"\r\n") else data
    raise ValueError("no file part")


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    events: dict[str, str] = {}
    with open_image(evidence["server"]) as img:
        auth = read_auth_log(img.read("/var/log/auth.log"), year=2024)
        attacker = next(s for s in login_summary(auth) if s.failures and s.successes)
        answers["attacker_ip"] = attacker.source_ip
        log(f"disk authlog --year 2024: {attacker.source_ip} failed {attacker.failures} times from "
            f"{attacker.first_time} (users {', '.join(attacker.users_tried)}), then logged in as "
            f"{', '.join(attacker.users_logged_in)}")
        login = next(e for e in auth if e.kind == "accepted" and e.source_ip == attacker.source_ip)
        account = login.user
        answers["account"] = account
        answers["first_login"] = login.time
        events["C"], events["D"] = attacker.first_time, login.time
        log(f"disk authlog: 'Accepted {login.method} for {account} from {login.source_ip}' at {login.time}")
        added = next(e for e in auth if e.kind == "user_added" and e.time >= login.time)
        answers["backdoor"] = added.user
        events["B"] = added.time
        log(f"disk authlog: sudo useradd by {account}, new user {added.user!r} at {added.time}")
        closed = next(e for e in auth if e.kind == "session_closed" and e.user == account and e.time >= login.time)
        events["F"] = closed.time
        web = [m for m in map(ACCESS.match, img.read("/var/log/nginx/access.log").decode().splitlines())
               if m and m["ip"] == attacker.source_ip]
        ftp = [m for m in map(VSFTPD.search, img.read("/var/log/vsftpd.log").decode().splitlines())
               if m and m["ip"] == attacker.source_ip]
        requested = ", ".join(f"{m['uri']} {m['status']}" for m in web)
        ftp_lines = ", ".join(f"{(m['ok'] or '').strip()} {m['what']} {m['user'] or ''}".strip() for m in ftp)
        log(f"disk cat /var/log/nginx/access.log: {len(web)} requests from {attacker.source_ip} ({requested}); "
            f"/var/log/vsftpd.log: {ftp_lines}")

        history = read_bash_history(img.read(f"/home/{account}/.bash_history"))
        search = next(c for c in history if c.command.startswith("find "))
        events["E"] = search.time
        upload = next(c for c in history if UPLOAD.search(c.command))
        path, url = UPLOAD.search(upload.command).groups()
        log(f"disk bashhist /home/{account}/.bash_history: {search.time} `{search.command}`; "
            f"{upload.time} `{upload.command}`")
        answers["stolen_path"] = path
        content = img.read(path)
        answers["stolen_sha256"] = hash_bytes(content)["sha256"]
        log(f"disk hash: {path} ({len(content)} bytes) SHA-256 {answers['stolen_sha256']}")

    capture = evidence["capture"]
    gets = [t for t in http_transactions(capture) if t.src == attacker.source_ip and t.method == "GET"]
    logins = [c for s in read_sessions(capture, ("ftp",))["ftp"].results() if s.client == attacker.source_ip
              for c in s.credentials]
    fetched = ", ".join(f"{t.uri} {t.status}" for t in gets)
    tried = ", ".join(f"USER {c.username} -> {'230' if c.success else '530'}" for c in logins)
    log(f"net http: {len(gets)} GETs from {attacker.source_ip} ({fetched}); net ftp: {tried}")
    recon = []
    if web and len(gets) == len(web) and all(t.uri == m["uri"] for t, m in zip(gets, web, strict=True)):
        recon.append("HTTP")
    if ftp and logins and {c.username for c in logins} == {m["user"] for m in ftp if m["user"]}:
        recon.append("FTP")
    answers["recon"] = recon
    brute = next(f for f in detect(capture, ["bruteforce"]) if f.source == attacker.source_ip)
    log(f"net detect: {brute.summary}; first connection {brute.first}")
    posts = [t for t in http_transactions(capture) if t.method == "POST"]
    post = posts[0]
    content_type = dict((k.lower(), v) for k, v in post.request_headers)["content-type"]
    name, sent = _multipart_file(post.request_body, content_type)
    sent_sha256 = hash_bytes(sent)["sha256"]
    events["A"] = post.time
    answers["exfil_channel"] = "HTTP POST"
    answers["drop_host"] = post.host
    lookups = [m for m in dns_messages(capture) if not m.response and m.qname == post.host]
    log(f"net dns: {lookups[0].src} resolved {post.host} at {lookups[0].time}" if lookups else "net dns: no lookup")
    log(f"net http: frame {post.frame} POST http://{post.host}{post.uri} from {post.src} ({post.user_agent}), "
        f"file {name!r}, SHA-256 {sent_sha256} - "
        + ("the same as on disk" if sent_sha256 == answers["stolen_sha256"] else "DIFFERENT from the disk copy"))
    order = sorted(events, key=lambda k: events[k])
    answers["timeline"] = order
    log("timeline: " + "; ".join(f"{k} {events[k]}" for k in order))
    answers["conclusion"] = CONCLUSION
    log("conclusion: password guessing over SSH, login, backdoor account, document uploaded by HTTP POST"
        " -> statement 3")
    return answers
