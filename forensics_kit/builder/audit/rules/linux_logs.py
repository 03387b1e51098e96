"""A Linux server's logs agree with its own accounts: sshd words a login for a missing account as "invalid user".

sshd writes ``Failed password for invalid user admin`` when ``admin`` is not an
account of the machine, and ``Failed password for root`` when it is; a log that
says the second for an account /etc/passwd of the same disk does not list
contradicts itself, and a trainee who checks /etc/passwd is misled.
"""

from __future__ import annotations

from forensics_kit.builder.audit.rule import AuditRule


def _accounts(files) -> set[str] | None:
    passwd = next((f for f in files if f.path == "/etc/passwd" and f.allocated), None)
    if passwd is None:
        return None
    return {line.split(":", 1)[0] for line in passwd.data.decode("utf-8", "replace").splitlines() if ":" in line}


class SshdInvalidUser(AuditRule):
    """sshd's failed-password lines say ``invalid user`` exactly for names /etc/passwd does not hold."""

    name = "sshd-invalid-user"
    title = {"en": "sshd writes 'invalid user' exactly for accounts /etc/passwd lacks",
             "ru": "sshd пишет «invalid user» ровно для учётных записей, которых нет в /etc/passwd"}
    messages = {
        "missing": {"en": "{path} line {line}: 'Failed password for {user}' but {user} is not in /etc/passwd "
                          "(sshd writes 'for invalid user {user}')",
                    "ru": "{path}, строка {line}: «Failed password for {user}», но {user} нет в /etc/passwd "
                          "(sshd пишет «for invalid user {user}»)"},
        "exists": {"en": "{path} line {line}: 'invalid user {user}' but {user} is an account in /etc/passwd",
                   "ru": "{path}, строка {line}: «invalid user {user}», но {user} есть в /etc/passwd"},
    }

    def check(self, case):
        from forensics_kit.artefacts import read_auth_log

        for entry in case.entries("disk"):
            files = case.disk_files(entry["id"])
            accounts = _accounts(files)
            if accounts is None:
                continue
            for file in files:
                name = file.path.rsplit("/", 1)[-1]
                if not file.allocated or not (name.startswith("auth.log") or name == "secure"):
                    continue
                for event in read_auth_log(file.data):
                    if event.program != "sshd" or event.kind not in ("failed", "invalid_user") or not event.user:
                        continue
                    invalid = event.kind == "invalid_user" or "for invalid user " in event.message
                    where = f"{file.path} line {event.line}"
                    if not invalid and event.user not in accounts:
                        yield self.finding(case, entry["id"], where, "missing", path=file.path, line=event.line,
                                           user=event.user)
                    elif invalid and event.user in accounts:
                        yield self.finding(case, entry["id"], where, "exists", path=file.path, line=event.line,
                                           user=event.user)
