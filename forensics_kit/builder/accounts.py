"""Account changes on the timeline: ``useradd`` and ``passwd``, each rendered everywhere it leaves a trace.

One timeline event ``{do: useradd, host: server, by: alice, user: bob, uid: 1050, at: ...,
sudo: true}`` becomes, from the same values:

- in the host's ``auth_log`` (``timeline: server``): sudo's command line
  (``alice : TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/usr/sbin/useradd -m -s /bin/bash bob``)
  and its PAM session, then ``useradd[PID]: new group: name=bob, GID=1050`` and
  ``new user: name=bob, UID=1050, GID=1050, home=/home/bob, shell=/bin/bash, from=/dev/pts/0``;
- in ``/etc/passwd``, ``/etc/shadow`` and ``/etc/group`` contents (``generate: passwd|shadow|group,
  timeline: server``): the account's lines, the shadow entry locked (``!``) until a ``passwd`` event
  sets a password;
- on the host's disk (the world host's ``disk``: the evidence id of its root file system):
  ``/home/bob`` owned by the new uid (mode 0750, Ubuntu's HOME_MODE), made at that moment,
  holding /etc/skel's ``.bashrc``, ``.profile`` and ``.bash_logout``: useradd copies them,
  keeping the skeleton's modification times (shadow's copy_tree), so only their birth and
  change times are the useradd's.

``{do: passwd, host: server, by: alice, user: bob, sudo: true}`` logs sudo's line for
``/usr/bin/passwd bob`` and ``passwd[PID]: pam_unix(passwd:chauthtok): password changed for bob``,
and dates the shadow entry's last change.
"""

from __future__ import annotations

import hashlib
import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from forensics_kit.builder.timeline import EventType
from forensics_kit.timefmt import iso_utc, parse_iso

SKEL_TIME = "2024-02-12T09:05:00Z"  # when the base-files package wrote /etc/skel (the server's installation)
SKEL = {
    ".bash_logout": (
        "# ~/.bash_logout: executed by bash(1) when login shell exits.\n\n"
        "# when leaving the console clear the screen to increase privacy\n\n"
        'if [ "$SHLVL" = 1 ]; then\n    [ -x /usr/bin/clear_console ] && /usr/bin/clear_console -q\nfi\n'),
    ".bashrc": (
        "# ~/.bashrc: executed by bash(1) for non-login shells.\n"
        "# see /usr/share/doc/bash/examples/startup-files (in the package bash-doc)\n"
        "# for examples\n\n"
        "# If not running interactively, don't do anything\n"
        'case $- in\n    *i*) ;;\n      *) return;;\nesac\n\n'
        "# don't put duplicate lines or lines starting with space in the history.\n"
        "HISTCONTROL=ignoreboth\n\n"
        "# append to the history file, don't overwrite it\nshopt -s histappend\n\n"
        "# for setting history length see HISTSIZE and HISTFILESIZE in bash(1)\n"
        "HISTSIZE=1000\nHISTFILESIZE=2000\n\n"
        "# check the window size after each command and, if necessary,\n"
        "# update the values of LINES and COLUMNS.\nshopt -s checkwinsize\n\n"
        "# make less more friendly for non-text input files, see lesspipe(1)\n"
        '[ -x /usr/bin/lesspipe ] && eval "$(SHELL=/bin/sh lesspipe)"\n\n'
        "# enable color support of ls and also add handy aliases\n"
        "if [ -x /usr/bin/dircolors ]; then\n"
        '    test -r ~/.dircolors && eval "$(dircolors -b ~/.dircolors)" || eval "$(dircolors -b)"\n'
        "    alias ls='ls --color=auto'\n    alias grep='grep --color=auto'\nfi\n\n"
        "# some more ls aliases\nalias ll='ls -alF'\nalias la='ls -A'\nalias l='ls -CF'\n\n"
        "# Alias definitions.\n"
        "if [ -f ~/.bash_aliases ]; then\n    . ~/.bash_aliases\nfi\n\n"
        "# enable programmable completion features\n"
        "if ! shopt -oq posix; then\n"
        "  if [ -f /usr/share/bash-completion/bash_completion ]; then\n"
        "    . /usr/share/bash-completion/bash_completion\n"
        "  elif [ -f /etc/bash_completion ]; then\n    . /etc/bash_completion\n  fi\nfi\n"),
    ".profile": (
        "# ~/.profile: executed by the command interpreter for login shells.\n"
        "# This file is not read by bash(1), if ~/.bash_profile or ~/.bash_login\n# exists.\n\n"
        "# if running bash\n"
        'if [ -n "$BASH_VERSION" ]; then\n'
        "    # include .bashrc if it exists\n"
        '    if [ -f "$HOME/.bashrc" ]; then\n\t. "$HOME/.bashrc"\n    fi\nfi\n\n'
        "# set PATH so it includes user's private bin if it exists\n"
        'if [ -d "$HOME/bin" ] ; then\n    PATH="$HOME/bin:$PATH"\nfi\n\n'
        "# set PATH so it includes user's private bin if it exists\n"
        'if [ -d "$HOME/.local/bin" ] ; then\n    PATH="$HOME/.local/bin:$PATH"\nfi\n'),
}


@dataclass(frozen=True)
class AccountChange:
    """One account change on ``host``: who did it (``by``, via sudo or not), to which account, when."""

    event: str
    index: int
    kind: str  # useradd | passwd
    host: str
    start: float
    by: str
    user: str
    uid: int
    gid: int
    home: str
    shell: str
    sudo: bool
    tty: str
    pwd: str
    command: str
    seed: int
    client: str = ""  # no connection: captures that take the timeline's flows skip it
    server: str = ""


def _rng(seed: int, *parts: object) -> random.Random:
    key = "/".join(map(str, (seed, "accounts", *parts))).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


class _AccountEvent(EventType):
    """Shared: the acting user, the account, the sudo and terminal details."""

    def connections(self, event, world, seed, taken):
        host = str(event["host"])
        if host not in world:
            raise ValueError(f"timeline {event['id']}: unknown host {host!r} (world hosts: {', '.join(world)})")
        user = str(event["user"])
        known = (world[host].get("users") or {}).get(user) or {}
        uid = int(event.get("uid", known.get("uid", 1001)))
        gid = int(event.get("gid", known.get("gid", uid)))
        home = str(event.get("home_dir", known.get("home", f"/home/{user}")))
        shell = str(event.get("shell", "/bin/bash"))
        start = parse_iso(str(event["at"])).timestamp()
        return [AccountChange(event["id"], 0, self.name, host, start, str(event["by"]), user, uid, gid, home, shell,
                              bool(event.get("sudo", False)), str(event.get("tty", "pts/0")),
                              str(event.get("pwd", f"/home/{event['by']}")), self.command(event, user, shell),
                              _rng(seed, event["id"]).getrandbits(32))]

    def command(self, event: dict[str, Any], user: str, shell: str) -> str:
        raise NotImplementedError


class Useradd(_AccountEvent):
    """``useradd -m -s SHELL NAME``: group, user, shadow entry (locked) and a home from /etc/skel."""

    name = "useradd"

    def command(self, event, user, shell):
        return f"/usr/sbin/useradd -m -s {shell} {user}"


class Passwd(_AccountEvent):
    """``passwd NAME`` (or ``via: chpasswd``, fed ``name:password`` lines): PAM changes the password.

    Both log through pam_unix (``passwd[PID]: pam_unix(passwd:chauthtok): password changed for NAME``,
    ``chpasswd[PID]: pam_unix(chpasswd:chauthtok): ...``); shadow's last-change day moves.
    """

    name = "passwd"

    def command(self, event, user, shell):
        if event.get("via", "passwd") == "chpasswd":
            return "/usr/sbin/chpasswd"
        return f"/usr/bin/passwd {user}"


def _changes(plans: list[Any], host: str) -> list[AccountChange]:
    return sorted((p for p in plans if isinstance(p, AccountChange) and p.host == host), key=lambda c: c.start)


def _iso(seconds: float) -> str:
    whole = int(seconds)
    return iso_utc(whole, round((seconds - whole) * 1e6) * 1000)


def auth_events(plans: list[Any], host: str, world: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``auth_log`` events of the account changes on ``host``: sudo with its session, useradd, passwd."""
    users = world.get(host, {}).get("users") or {}
    out: list[dict[str, Any]] = []
    for change in _changes(plans, host):
        rng = _rng(change.seed, "auth")
        at = change.start
        if change.sudo:
            by_uid = int((users.get(change.by) or {}).get("uid", 1000))
            out.append({"kind": "sudo", "time": _iso(at), "user": change.by, "command": change.command,
                        "tty": change.tty, "pwd": change.pwd, "session": True, "uid": by_uid})
        typed = change.kind == "passwd" and change.command.startswith("/usr/bin/passwd")  # the password, twice
        done = at + rng.uniform(0.02, 0.3) + (rng.uniform(4, 12) if typed else 0)
        if change.kind == "useradd":
            out.append({"kind": "useradd", "time": _iso(done), "user": change.user, "uid": change.uid,
                        "gid": change.gid, "home": change.home, "shell": change.shell, "tty": change.tty})
        else:
            program = "chpasswd" if change.command == "/usr/sbin/chpasswd" else "passwd"
            out.append({"kind": "passwd", "time": _iso(done), "user": change.user, "program": program})
        if change.sudo:
            out.append({"kind": "sudo_session_closed", "time": _iso(done + rng.uniform(0.001, 0.02)),
                        "user": change.by})
    return out


def shadow_events(plans: list[Any], host: str, world: dict[str, Any]) -> list[dict[str, Any]]:
    """What a ``shadow`` content adds: one entry per account change on ``host`` (useradd, passwd)."""
    return [{"kind": c.kind, "time": _iso(c.start + 0.05), "user": c.user, "uid": c.uid, "gid": c.gid,
             "home": c.home, "shell": c.shell, "seed": c.seed} for c in _changes(plans, host)]


def account_events(plans: list[Any], host: str, world: dict[str, Any]) -> list[dict[str, Any]]:
    """What ``passwd`` and ``group`` contents add: the accounts useradd made (passwd leaves them alone)."""
    return [e for e in shadow_events(plans, host, world) if e["kind"] == "useradd"]


def home_items(plans: list[Any], world: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``{disk evidence id: [items]}``: /etc/skel as the OS installed it, and each new account's copy of it."""
    out: dict[str, list[dict[str, Any]]] = {}
    for host, spec in world.items():
        disk = spec.get("disk")
        if not disk:
            continue
        for change in _changes(plans, host):
            if change.kind != "useradd":
                continue
            if str(disk) not in out:  # the skeleton an examiner compares the home with
                out[str(disk)] = [{"id": f"skel{name.replace('.', '_')}", "path": f"/etc/skel/{name}",
                                   "content": {"text": text}, "mode": "0644",
                                   "times": {"created": SKEL_TIME, "modified": SKEL_TIME, "accessed": SKEL_TIME}}
                                  for name, text in SKEL.items()]
            born = _iso(change.start + 0.05)
            for name, text in SKEL.items():
                out.setdefault(str(disk), []).append({
                    "id": f"{change.event}{name.replace('.', '_')}", "path": f"{change.home}/{name}",
                    "owner": f"{change.uid}:{change.gid}", "mode": "0644", "content": {"text": text},
                    "times": {"created": born, "modified": SKEL_TIME, "accessed": SKEL_TIME, "changed": born}})
    return out


def home_directories(plans: list[Any], world: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{disk evidence id: {home: {owner, mode, created}}}`` of the homes useradd -m made."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for host, spec in world.items():
        for change in _changes(plans, host):
            if change.kind == "useradd" and spec.get("disk"):
                out.setdefault(str(spec["disk"]), {})[change.home] = {
                    "owner": f"{change.uid}:{change.gid}", "mode": "0750", "created": _iso(change.start + 0.05)}
    return out


def shadow_hash(seed: int) -> str:
    """A yescrypt-shaped ``$y$j9T$salt$hash`` string (seeded; not a hash of any real password)."""
    rng = _rng(seed, "shadow")
    alphabet = "./" + string.digits + string.ascii_uppercase + string.ascii_lowercase
    return "$y$j9T$" + "".join(rng.choice(alphabet) for _ in range(22)) + "$" + \
        "".join(rng.choice(alphabet) for _ in range(43))


def days_since_epoch(seconds: float) -> int:
    """shadow's day numbers (last change): days since 1970-01-01 UTC."""
    return int(datetime.fromtimestamp(seconds, UTC).timestamp() // 86400)
