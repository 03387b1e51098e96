"""What a user typed, what sudo logged and what the account files hold tell one story.

- ``sudo-history``: every ``sudo CMD`` in a timestamped ``.bash_history`` has sudo's
  ``COMMAND=`` line for that user in auth.log within a few seconds, naming the same
  program (``sudo -l`` logs ``COMMAND=list``), and every sudo line of a user whose
  history covers its time is in that history (review: history said ``sudo -l``, the
  log said ``COMMAND=/usr/bin/id``).
- ``account-files``: every ``useradd ... new user: name=N, UID=U, GID=G, home=H`` line has
  N's line in /etc/passwd with that uid, gid and home, a shadow entry, the group G,
  and (useradd -m) the home directory H owned by U; a ``password changed for N``
  line dates N's shadow entry (last change on that day).
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime

from forensics_kit.builder.audit.rule import AuditRule

_SLACK = 5  # seconds between the Enter key and sudo's line
_USER_ADDED = re.compile(r"new user: name=(?P<name>[^,]+), UID=(?P<uid>\d+), GID=(?P<gid>\d+), home=(?P<home>[^,]+)")
_CHANGED = re.compile(r"password changed for (?P<name>\S+)")


def _auth_logs(files):
    for file in files:
        name = file.path.rsplit("/", 1)[-1]
        if file.allocated and (name.startswith("auth.log") or name == "secure"):
            yield file


def _sudo_programs(command: str) -> list[tuple[str, list[str]]]:
    """(program, its arguments) of every ``sudo PROGRAM ...`` in a shell command line (pipes included)."""
    try:
        words = shlex.split(command.replace("|", " | ").replace(";", " ; ").replace("&&", " && "))
    except ValueError:
        return []
    out = []
    for index, word in enumerate(words):
        if word != "sudo":
            continue
        rest = words[index + 1:]
        while rest and rest[0].startswith("-") and rest[0] not in ("-l", "--list"):
            rest = rest[2:] if rest[0] in ("-u", "-g") else rest[1:]
        if rest:
            out.append((rest[0], rest[1:]))
    return out


def _logged_program(command: str) -> str:
    return "list" if command == "list" else command.split()[0].rsplit("/", 1)[-1]


def _when(event, year: int) -> float | None:
    if not event.time:
        return None
    stamp = datetime.fromisoformat(event.time.replace("Z", "+00:00"))
    return stamp.replace(year=year).timestamp()


class SudoHistory(AuditRule):
    """Each ``sudo`` a history shows is in auth.log at that time, naming that program, and the other way round."""

    name = "sudo-history"
    title = {"en": "sudo commands in a shell history and sudo's COMMAND lines in auth.log agree",
             "ru": "команды sudo в истории оболочки и строки COMMAND sudo в auth.log согласуются"}
    messages = {
        "unlogged": {"en": "{history} has 'sudo {program}' at {when} UTC, auth.log has no sudo line of {user} "
                           "naming {program} then",
                     "ru": "в {history} есть «sudo {program}» в {when} UTC, а в auth.log нет строки sudo "
                           "пользователя {user} с {program} в это время"},
        "untyped": {"en": "{log} line {line}: {user} ran COMMAND={command} by sudo, but {history} has no sudo "
                          "{program} then",
                    "ru": "{log}, строка {line}: {user} выполнил через sudo COMMAND={command}, но в {history} "
                          "нет sudo {program} в это время"},
    }

    def check(self, case):
        from forensics_kit.artefacts import read_auth_log, read_bash_history

        for entry in case.entries("disk"):
            files = case.disk_files(entry["id"])
            logs = list(_auth_logs(files))
            if not logs:
                continue
            for history in files:
                if not history.allocated or not history.path.endswith("/.bash_history"):
                    continue
                commands = [c for c in read_bash_history(history.data) if c.time]
                if not commands:
                    continue
                user = history.path.split("/")[-2] if history.path.startswith("/home/") else "root"
                year = int(commands[0].time[:4])
                first = _ts(commands[0].time) - _SLACK
                last = _ts(commands[-1].time) + _SLACK
                sudo = [(log, e, _when(e, year)) for log in logs for e in read_auth_log(log.data)
                        if e.kind == "sudo" and e.user == user and e.command]
                typed = [(_ts(c.time), program) for c in commands for program, _ in _sudo_programs(c.command)]
                for at, program in typed:
                    wanted = "list" if program in ("-l", "--list") else program.rsplit("/", 1)[-1]
                    if not any(t is not None and abs(t - at) <= _SLACK and _logged_program(e.command) == wanted
                               for _, e, t in sudo):
                        yield self.finding(case, entry["id"], history.path, "unlogged", history=history.path,
                                           program=wanted, when=_show(at), user=user)
                for log, event, at in sudo:
                    if at is None or not first <= at <= last:
                        continue
                    program = _logged_program(event.command)
                    if not any(abs(t - at) <= _SLACK and ("list" if p in ("-l", "--list") else p.rsplit("/", 1)[-1])
                               == program for t, p in typed):
                        yield self.finding(case, entry["id"], f"{log.path} line {event.line}", "untyped",
                                           log=log.path, line=event.line, user=user, command=event.command,
                                           history=history.path, program=program)


class AccountFiles(AuditRule):
    """useradd's and passwd's auth.log lines have their /etc/passwd, shadow, group entries and the new home."""

    name = "account-files"
    title = {"en": "accounts useradd and passwd logged are in /etc/passwd, shadow, group and have their home",
             "ru": "учётные записи из строк useradd и passwd есть в /etc/passwd, shadow, group "
                   "и имеют домашний каталог"}
    messages = {
        "passwd": {"en": "useradd logged {name} (UID {uid}, GID {gid}, home {home}); /etc/passwd has {found}",
                   "ru": "useradd записал {name} (UID {uid}, GID {gid}, home {home}); в /etc/passwd: {found}"},
        "shadow": {"en": "useradd logged {name}, /etc/shadow has no entry for it",
                   "ru": "useradd записал {name}, а в /etc/shadow записи для него нет"},
        "group": {"en": "useradd logged {name} with GID {gid}, /etc/group has no group {gid}",
                  "ru": "useradd записал {name} с GID {gid}, а в /etc/group нет группы {gid}"},
        "home": {"en": "useradd logged {name} with home {home}: {problem}",
                 "ru": "useradd записал {name} с домашним каталогом {home}: {problem}"},
        "changed": {"en": "auth.log: password changed for {name} on {day}, /etc/shadow's last change is {found}",
                    "ru": "auth.log: пароль {name} сменён {day}, а последняя смена в /etc/shadow — {found}"},
    }

    def check(self, case):
        from forensics_kit.artefacts import read_auth_log
        from forensics_kit.disk import open_image, stat_entry
        from forensics_kit.errors import ForensicsKitError

        for entry in case.entries("disk"):
            files = case.disk_files(entry["id"])
            tables = {name: _table(files, f"/etc/{name}") for name in ("passwd", "shadow", "group")}
            if tables["passwd"] is None:
                continue
            year = _year(entry, case)
            for log in _auth_logs(files):
                for event in read_auth_log(log.data):
                    added, changed = _USER_ADDED.search(event.message), _CHANGED.search(event.message)
                    if added and event.program == "useradd":
                        yield from self._added(case, entry, added.groupdict(), tables)
                        try:
                            with open_image(case.artefact(entry["id"])) as image:
                                home = stat_entry(image, added["home"])
                            if home.uid != int(added["uid"]) or home.type != "dir":
                                yield self.finding(case, entry["id"], added["home"], "home", name=added["name"],
                                                   home=added["home"], problem=f"owned by uid {home.uid}")
                        except ForensicsKitError:
                            yield self.finding(case, entry["id"], added["home"], "home", name=added["name"],
                                               home=added["home"], problem="no such directory")
                    elif changed and event.program in ("passwd", "chpasswd") and tables["shadow"] is not None:
                        at = _when(event, year)
                        row = tables["shadow"].get(changed["name"])
                        day = int(at // 86400) if at is not None else None
                        found = row[2] if row and len(row) > 2 else "-"
                        if day is not None and found != str(day):
                            yield self.finding(case, entry["id"], "/etc/shadow", "changed", name=changed["name"],
                                               day=datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d"),
                                               found=found)

    def _added(self, case, entry, added, tables):
        row = tables["passwd"].get(added["name"])
        if not row or len(row) < 6 or (row[2], row[3], row[5]) != (added["uid"], added["gid"], added["home"]):
            yield self.finding(case, entry["id"], "/etc/passwd", "passwd", found=":".join(row) if row else "no line",
                               **added)
        if tables["shadow"] is not None and added["name"] not in tables["shadow"]:
            yield self.finding(case, entry["id"], "/etc/shadow", "shadow", name=added["name"])
        groups = {row[2] for row in (tables["group"] or {}).values() if len(row) > 2}
        if tables["group"] is not None and added["gid"] not in groups:
            yield self.finding(case, entry["id"], "/etc/group", "group", name=added["name"], gid=added["gid"])


def _table(files, path: str) -> dict[str, list[str]] | None:
    file = next((f for f in files if f.path == path and f.allocated), None)
    if file is None:
        return None
    rows = [line.split(":") for line in file.data.decode("utf-8", "replace").splitlines() if ":" in line]
    return {row[0]: row for row in rows}


def _year(entry, case) -> int:
    """The year of the auth log's lines (syslog writes none): its recipe's ``year``, else the case window's."""
    for item in entry.get("items", []):
        content = item.get("content") or {}
        if content.get("generate") == "auth_log" and content.get("year"):
            return int(content["year"])
    return int(str(case.recipe.data["window"]["start"])[:4])


def _ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _show(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")
