"""auth.log reader: generated logs round trip, real-world line shapes, repeated messages, years, summary."""

from __future__ import annotations

import pytest
from artefact_samples import generated

from forensics_kit.artefacts import login_summary, read_auth_log

ATTACK = [
    {"kind": "failed", "time": "2024-03-05T14:02:11Z", "ip": "198.51.100.7", "users": ["root", "admin"], "repeat": 6},
    {"kind": "invalid_user", "time": "2024-03-05T14:03:00Z", "ip": "198.51.100.7", "user": "oracle"},
    {"kind": "accepted", "time": "2024-03-05T14:05:00Z", "ip": "198.51.100.7", "user": "admin"},
    {"kind": "sudo", "time": "2024-03-05T14:06:00Z", "user": "admin", "command": "/usr/bin/cat /etc/shadow"},
    {"kind": "useradd", "time": "2024-03-05T14:07:00Z", "user": "backup2", "uid": 1002},
    {"kind": "session_closed", "time": "2024-03-05T14:09:00Z", "user": "admin"},
    {"kind": "accepted", "time": "2024-03-05T15:00:00Z", "ip": "10.0.0.5", "user": "bob", "method": "publickey"},
]


@pytest.mark.parametrize("form", ["syslog", "iso"])
def test_generated_log_reads_back_every_event(form):
    events = read_auth_log(generated("auth_log", host="srv1", year=2024, format=form, events=ATTACK), year=2024)
    kinds = [e.kind for e in events]
    assert kinds.count("failed") == 7 and kinds.count("accepted") == 2 and kinds.count("invalid_user") == 1
    first = events[0]
    assert (first.time, first.host, first.program, first.user, first.source_ip) == (
        "2024-03-05T14:02:11Z", "srv1", "sshd", "root", "198.51.100.7")
    sudo = next(e for e in events if e.kind == "sudo")
    assert (sudo.user, sudo.run_as, sudo.command) == ("admin", "root", "/usr/bin/cat /etc/shadow")
    assert next(e for e in events if e.kind == "user_added").user == "backup2"
    accepted = next(e for e in events if e.kind == "accepted")
    opened = next(e for e in events if e.kind == "session_opened")
    closed = next(e for e in events if e.kind == "session_closed")
    assert accepted.pid == opened.pid == closed.pid and accepted.method == "password"
    assert events[-2].method == "publickey" and events[-1].kind == "session_opened"


def test_login_summary_shows_the_brute_force_source_first():
    events = read_auth_log(generated("auth_log", events=ATTACK), year=2024)
    attacker, other = login_summary(events)
    assert (attacker.source_ip, attacker.failures, attacker.successes, attacker.invalid_users) == (
        "198.51.100.7", 7, 1, 1)
    assert attacker.users_tried == ["admin", "oracle", "root"] and attacker.users_logged_in == ["admin"]
    assert (attacker.first_time, attacker.last_time) == ("2024-03-05T14:02:11Z", "2024-03-05T14:05:00Z")
    assert (other.source_ip, other.failures, other.successes) == ("10.0.0.5", 0, 1)


REAL = """\
Dec 31 23:59:58 web01 sshd[811]: Failed password for invalid user test from 2001:db8::7 port 40022 ssh2
Jan  1 00:00:03 web01 sshd[811]: message repeated 5 times: [ Failed password for root from 203.0.113.9 port 40022 ssh2]
Jan  1 00:00:09 web01 sshd[812]: pam_unix(sshd:auth): authentication failure; rhost=203.0.113.9  user=root
Jan  1 00:00:10 web01 sshd[812]: Connection closed by authenticating user root 203.0.113.9 port 40100 [preauth]
Jan  1 00:01:00 web01 sshd[900]: Accepted keyboard-interactive/pam for alice from 192.0.2.1 port 5555 ssh2
Jan  1 00:01:00 web01 sshd[900]: pam_unix(sshd:session): session opened for user alice by (uid=0)
Jan  1 00:02:00 web01 sudo:    alice : TTY=pts/1 ; PWD=/tmp ; USER=root ; ENV=A=1 ; COMMAND=/bin/sh -c id
Jan  1 00:03:00 web01 CRON[1000]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
not a syslog line at all
"""


def test_real_world_line_shapes_and_repeated_messages():
    events = read_auth_log(REAL, year=2023)
    assert [e.kind for e in events] == ["failed", "failed", "other", "other", "accepted", "session_opened", "sudo",
                                        "session_opened"]
    assert events[0].time == "2023-12-31T23:59:58Z" and events[1].time == "2024-01-01T00:00:03Z"
    assert events[0].source_ip == "2001:db8::7" and events[0].user == "test"
    assert events[1].count == 5 and events[1].user == "root"
    assert events[3].source_ip == "203.0.113.9" and events[3].user == "root"
    assert events[4].method == "keyboard-interactive/pam"
    assert events[6].command == "/bin/sh -c id"
    assert events[7].program == "CRON"
    assert login_summary(events)[0].failures == 5


def test_iso_stamps_with_offsets_become_utc():
    line = "2024-03-05T17:02:11.123456+03:00 srv1 sshd[5]: Invalid user guest from 198.51.100.1 port 2222\n"
    (event,) = read_auth_log(line.encode())
    assert (event.time, event.kind, event.port) == ("2024-03-05T14:02:11Z", "invalid_user", 2222)


def test_generator_refuses_an_event_outside_the_logs_year():
    with pytest.raises(ValueError, match="not in the log's year 2023"):
        generated("auth_log", year=2023, events=ATTACK[:1])


def test_generator_names_an_unknown_event_kind():
    with pytest.raises(ValueError, match=r"events\[0\]\.kind: unknown kind 'login'"):
        generated("auth_log", events=[{"kind": "login", "time": "2024-03-05T14:02:11Z"}])
