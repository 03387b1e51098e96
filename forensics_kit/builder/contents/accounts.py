"""The ``passwd``, ``shadow`` and ``group`` generators: a Linux host's account files.

``lines`` are the accounts the host had before (as written, one per line); with
``timeline: <world host>`` the accounts that the timeline's ``useradd`` events create
are appended as useradd writes them (``bob:x:1050:1050::/home/bob:/bin/bash``,
``bob:!:19857:0:99999:7:::`` until a ``passwd`` event sets a password, ``bob:x:1050:``),
so the files agree with auth.log by construction.
"""

from __future__ import annotations

from typing import Any

from forensics_kit.builder.content import ContentGenerator
from forensics_kit.timefmt import parse_iso


class _AccountFile(ContentGenerator):
    def generate(self, spec: dict[str, Any], rng) -> bytes:
        lines = [str(line) for line in spec.get("lines") or []]
        accounts: dict[str, dict[str, Any]] = {}
        for event in spec.get("events") or []:
            if event["kind"] == "useradd":
                accounts[str(event["user"])] = dict(event)
            elif event["kind"] == "passwd" and str(event["user"]) in accounts:
                accounts[str(event["user"])]["password_set"] = event
        lines += [self.line(account) for account in accounts.values()]
        return "".join(line + "\n" for line in lines).encode("utf-8")

    def line(self, account: dict[str, Any]) -> str:
        raise NotImplementedError


def _day(event: dict[str, Any]) -> int:
    return int(parse_iso(str(event["time"])).timestamp() // 86400)


class PasswdContent(_AccountFile):
    """``/etc/passwd``: ``lines``, then one line per account the timeline's useradd made."""

    name = "passwd"

    def line(self, account):
        return f"{account['user']}:x:{account['uid']}:{account['gid']}::{account['home']}:{account['shell']}"


class ShadowContent(_AccountFile):
    """``/etc/shadow``: locked (``!``) after useradd, a yescrypt-shaped hash and its day after passwd."""

    name = "shadow"

    def line(self, account):
        from forensics_kit.builder.accounts import shadow_hash

        changed = account.get("password_set")
        secret = shadow_hash(int(account.get("seed", 0))) if changed else "!"
        return f"{account['user']}:{secret}:{_day(changed or account)}:0:99999:7:::"


class GroupContent(_AccountFile):
    """``/etc/group``: ``lines``, then the user's own group that useradd made."""

    name = "group"

    def line(self, account):
        return f"{account['user']}:x:{account['gid']}:"
