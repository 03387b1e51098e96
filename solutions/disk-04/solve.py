"""Reference solver for disk-04: a compromised Linux server, from the image alone.

It reads auth.log and every shell history it finds, as a trainee would, and puts
the two sources side by side for the timeline. The year of the syslog lines is
the one given in the case brief.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.artefacts import login_summary, read_auth_log, read_bash_history
from forensics_kit.disk import open_image

LOG_YEAR = 2024  # from the brief: "the server's clock was UTC; the logs are from 2024"
URL = re.compile(r"\b(?:wget|curl)\b.*?(https?://(?P<host>[\d.]+)(?::(?P<port>\d+))?/\S*)")
OUTPUT = re.compile(r"\s-O\s+(?P<path>/\S+)")
CHPASSWD = re.compile(r"echo\s+'(?P<user>[^:']+):(?P<password>[^']+)'\s*\|\s*(?:sudo\s+)?chpasswd")


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    with open_image(evidence["server"]) as img:
        fs = img.filesystems()[0]
        records = list(img.walk())
        log(f"disk info: one {fs.type} file system labelled {fs.label!r}; disk ls: {len(records)} entries")

        # 1. auth.log: who attacked, how often, which account fell, what sudo did
        events = read_auth_log(img.read("/var/log/auth.log"), year=LOG_YEAR)
        summaries = login_summary(events)
        attack = next(s for s in summaries if s.successes and s.failures)
        answers["attacker_ip"] = attack.source_ip
        answers["failed_attempts"] = attack.failures
        log(f"disk authlog --year {LOG_YEAR} --summary: {attack.source_ip} has {attack.failures} failures "
            f"against {', '.join(attack.users_tried)} from {attack.first_time}, then logged in as "
            f"{', '.join(attack.users_logged_in)}")
        accepted = next(e for e in events if e.kind == "accepted" and e.source_ip == attack.source_ip)
        answers["compromised_account"] = accepted.user
        answers["login_time"] = accepted.time
        log(f"disk authlog: line {accepted.line} Accepted {accepted.method} for {accepted.user} at {accepted.time}")
        created = [e for e in events if e.kind == "user_added"]
        answers["backdoor_user"] = created[-1].user
        log(f"disk authlog: useradd 'new user: name={created[-1].user}' at {created[-1].time}")
        logout = next(e for e in events if e.kind == "session_closed" and e.user == accepted.user
                      and e.time and e.time >= accepted.time)
        first_fail = min(e.time for e in events if e.kind == "failed" and e.source_ip == attack.source_ip)

        # 2. the compromised account's shell history
        home = f"/home/{accepted.user}/.bash_history"
        commands = read_bash_history(img.read(home))
        log(f"disk bashhist {home}: {len(commands)} commands with HISTTIMEFORMAT times")
        # (time, tie-break): equal times keep the order of the log, then of the history lines
        steps: dict[str, tuple[str, int]] = {"brute_force": (first_fail, 0), "login": (accepted.time, 1),
                                             "logout": (logout.time, 10**6)}
        tool = None
        for c in commands:
            url = URL.search(c.command)
            if url and "crontab" not in c.command and "download" not in steps:
                answers["download_ip"] = url["host"]
                out = OUTPUT.search(c.command)
                tool = out["path"] if out else None
                steps["download"] = (c.time, 2 + c.line)
                log(f"  {c.time} {c.command}  -> downloaded {url.group(1)} to {tool}")
            elif tool and c.command.split()[0] == tool:
                steps["execution"] = (c.time, 2 + c.line)
                log(f"  {c.time} {c.command}  -> ran the tool")
            elif "useradd" in c.command:
                steps["backdoor_account"] = (c.time, 2 + c.line)
                log(f"  {c.time} {c.command}  -> same time as the sudo useradd line of auth.log")
            elif (pw := CHPASSWD.search(c.command)):
                answers["backdoor_password"] = pw["password"]
                log(f"  {c.time} {c.command}  -> password of {pw['user']} set")
            elif "crontab -" in c.command:
                steps["persistence"] = (c.time, 2 + c.line)
                log(f"  {c.time} {c.command}  -> cron job installed")
            elif tool and c.command.startswith("rm ") and tool in c.command:
                steps["cleanup"] = (c.time, 2 + c.line)
                answers["deleted_time"] = c.time
                log(f"  {c.time} {c.command}  -> tool deleted")

        # 3. the deleted tool: name and inode are left in the directory
        deleted = [r for r in records if not r.allocated and r.type == "file"]
        for r in deleted:
            log(f"disk ls --deleted: inode {r.inode} {r.path} size {r.size} (ext4 cleared its block map)")
            if r.path == tool:
                answers["tool_path"] = r.path
                answers["tool_inode"] = r.inode

        # 4. persistence: the per-user crontab installed by `crontab -`
        for r in records:
            if r.allocated and r.type == "file" and r.path.startswith("/var/spool/cron/"):
                text = img.read(inode=r.inode).decode("utf-8", "replace")
                if tool and tool in text:
                    answers["persistence_file"] = r.path
                    log(f"disk cat {r.path}: {text.strip().splitlines()[-1]}")

    ordered = sorted(steps.items(), key=lambda kv: kv[1])
    answers["timeline"] = [label for label, _ in ordered]
    log("timeline (auth.log + history): " + ", ".join(f"{label} {when}" for label, (when, _) in ordered))
    return answers
