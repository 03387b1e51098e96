"""One timeline rendered twice: sshd's auth.log lines and the capture's SSH connections agree by construction."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml

from forensics_kit.artefacts import read_auth_log
from forensics_kit.builder import build_case, load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.disk import open_image
from forensics_kit.errors import RecipeError
from forensics_kit.net import read_frames
from forensics_kit.timefmt import parse_iso

RECIPE = {
    "case": "tl-01",
    "title": {"en": "One night, two sources"},
    "seed": 7,
    "window": {"start": "2024-05-01T00:00:00Z", "end": "2024-05-02T00:00:00Z"},
    "parameters": {"account": {"type": "choice", "values": ["anna", "oleg"]},
                   "uid": {"type": "integer", "min": 1001, "max": 1009}},
    "world": {"hosts": {
        "server": {"ip": "192.168.5.10", "mac": "00:50:56:00:05:10", "os": "ubuntu-22.04",
                   "users": {"{{ account }}": {"uid": "{{ uid }}"}}},
        "attacker": {"ip": "198.51.100.66", "mac": "00:1a:2b:00:05:01", "os": "kali"}}},
    "timeline": [
        {"id": "guess", "do": "ssh_password_guess", "at": "2024-05-01T02:00:10Z", "from": "attacker", "to": "server",
         "users": ["root", "admin", "{{ account }}"], "attempts": 5, "every": 2.5},
        {"id": "login", "do": "ssh_login", "at": "2024-05-01T02:01:30Z", "from": "attacker", "to": "server",
         "user": "{{ account }}", "until": "2024-05-01T02:09:00Z"}],
    "evidence": [
        {"id": "disk", "type": "disk", "file": "root.dd", "size": "8MiB", "scheme": "none",
         "filesystem": {"type": "ext4", "label": "root", "subsecond": True},
         "items": [
             {"id": "passwd", "path": "/etc/passwd",
              "content": {"text": "root:x:0:0:root:/root:/bin/bash\n"
                                  "{{ account }}:x:{{ uid }}:{{ uid }}::/home/{{ account }}:/bin/bash\n"},
              "times": {"modified": "2024-05-01T01:00:00Z"}},
             {"id": "authlog", "path": "/var/log/auth.log",
              "content": {"generate": "auth_log", "host": "srv", "timeline": "server", "year": 2024, "events": []},
              "times": {"modified": "2024-05-01T02:09:00Z"}}]},
        {"id": "capture", "type": "pcap", "file": "uplink.pcap", "start": "2024-05-01T02:00:00Z", "timeline": True,
         "hosts": {"router": {"ip": "192.168.5.1", "mac": "00:1a:2b:00:05:01", "os": "linux"}},
         "sessions": [{"id": "ntp", "type": "dns", "client": "server", "server": "router", "qname": "ntp.ubuntu.com",
                       "answers": ["185.125.190.58"], "at": 5}]},
    ],
}


def _build(tmp_path: Path, recipe: dict | None = None):
    path = tmp_path / "tl-01.yaml"
    path.write_text(yaml.safe_dump(recipe or RECIPE, sort_keys=False), encoding="utf-8")
    return load_recipe(path), build_case(path, tmp_path / "build")


def _auth(result) -> list:
    with open_image(result.artefacts["disk"]) as image:
        return read_auth_log(image.read("/var/log/auth.log"), year=2024)


def _syn_ports(result) -> list[int]:
    ports = []
    for frame in read_frames(result.artefacts["capture"]):
        data = frame.data
        if data[23] == 6 and data[36:38] == b"\x00\x16" and data[47] & 0x12 == 0x02:  # SYN to port 22
            ports.append(int.from_bytes(data[34:36], "big"))
    return ports


def test_every_sshd_line_is_a_captured_connection_from_the_same_port(tmp_path):
    recipe, result = _build(tmp_path)
    auth = _auth(result)
    failed = [e for e in auth if e.kind == "failed"]
    accepted = [e for e in auth if e.kind == "accepted"]
    assert len(failed) == 5 and len(accepted) == 1
    assert sorted({e.port for e in failed} | {accepted[0].port}) == sorted(_syn_ports(result))
    truth = result.truth["timeline"]
    assert accepted[0].time == truth["login"]["time"] and accepted[0].port == truth["login"]["client_port"]
    assert result.truth["sessions"]["login"]["client_port"] == accepted[0].port
    end = parse_iso(result.truth["sessions"]["login"]["end_time"]).timestamp()
    assert abs(end - parse_iso("2024-05-01T02:09:00Z").timestamp()) < 3  # the session lasts until the logout
    assert audit_build(recipe, result.directory) == []


def test_a_missing_account_is_logged_as_an_invalid_user(tmp_path):
    _, result = _build(tmp_path)
    lines = [e.message for e in _auth(result) if e.kind in ("failed", "invalid_user")]
    assert any(m.startswith("Failed password for invalid user admin from 198.51.100.66") for m in lines)
    assert any(m.startswith("Invalid user admin from") for m in lines)
    assert any(m.startswith("Failed password for root from") for m in lines)


def test_one_server_banner_and_the_os_banners(tmp_path):
    _, result = _build(tmp_path)
    sessions = [s for s in result.truth["sessions"].values() if s["type"] == "ssh"]
    assert {s["server_banner"] for s in sessions} == {"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"}
    assert {s["client_banner"] for s in sessions} == {"SSH-2.0-libssh_0.10.6", "SSH-2.0-OpenSSH_9.6p1 Debian-4"}


def test_a_log_line_whose_port_the_capture_lacks_breaks_the_cross_source_rule(tmp_path):
    recipe, result = _build(tmp_path)
    port = str(result.truth["timeline"]["guess"]["client_port"]).encode()
    image = result.artefacts["disk"]
    data = image.read_bytes()
    wrong = str(int(port) + 1 if int(port) < 60999 else int(port) - 1).encode()
    image.write_bytes(data.replace(b"port " + port + b" ", b"port " + wrong + b" "))  # both of its lines
    findings = audit_build(recipe, result.directory, only=["sshd-capture"])
    assert {f.text["en"].split(" ")[0] for f in findings} >= {"/var/log/auth.log:", "SSH"}
    assert any(f"port {int(wrong)}" in f.message() and "no connection" in f.message() for f in findings)
    assert any(f"port {int(port)}" in f.message() and "no sshd line" in f.message() for f in findings)


def test_sshd_saying_failed_for_a_missing_account_breaks_the_invalid_user_rule(tmp_path):
    recipe = copy.deepcopy(RECIPE)
    recipe["evidence"][0]["items"][1]["content"]["events"] = [
        {"kind": "failed", "time": "2024-05-01T01:30:00Z", "ip": "203.0.113.7", "user": "oracle"}]
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["sshd-invalid-user"])
    assert [f.message().split(": ", 1)[1] for f in findings] == [
        "'Failed password for oracle' but oracle is not in /etc/passwd (sshd writes 'for invalid user oracle')"]


def test_two_banners_from_one_server_break_the_banner_rule(tmp_path):
    recipe = copy.deepcopy(RECIPE)
    recipe["evidence"][1]["sessions"].append(
        {"id": "odd", "type": "ssh", "client": "attacker", "server": "server", "at": 900, "outcome": "failed",
         "server_banner": "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.7"})
    recipe["window"]["end"] = "2024-05-02T00:00:00Z"
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["ssh-banner"])
    assert len(findings) == 1 and "0.6" in findings[0].message() and "0.7" in findings[0].message()


def test_a_timeline_event_naming_an_unknown_host_is_a_recipe_error(tmp_path):
    recipe = copy.deepcopy(RECIPE)
    recipe["timeline"][0]["from"] = "mallory"
    with pytest.raises(RecipeError, match=r"timeline\[0\] \(guess\): from: unknown host 'mallory'"):
        _build(tmp_path, recipe)


def test_files_in_a_home_get_the_owner_the_recipe_gives_and_the_audit_checks_it(tmp_path):
    recipe = copy.deepcopy(RECIPE)
    recipe["evidence"][0]["items"].append(
        {"id": "history", "path": "/home/{{ account }}/.bash_history", "owner": "{{ uid }}",
         "content": {"text": "id\n"}, "times": {"modified": "2024-05-01T02:05:00Z"}})
    recipe["evidence"][0]["items"].append(
        {"id": "loot", "path": "/home/{{ account }}/loot.txt", "content": {"text": "x\n"},
         "times": {"modified": "2024-05-01T02:06:00Z"}})  # no owner: root's, which the audit reports
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["owner-home"])
    account, uid = result.truth["parameters"]["account"], result.truth["parameters"]["uid"]
    assert [(f.where, f.message()) for f in findings] == [
        (f"/home/{account}/loot.txt", f"owned by uid 0, but it is {account}'s file (uid {uid} in /etc/passwd)")]


def test_ext4_times_carry_nanoseconds_and_whole_seconds_everywhere_are_reported(tmp_path):
    recipe, result = _build(tmp_path)
    mtime = result.truth["items"]["passwd"]["mtime"]
    assert mtime.startswith("2024-05-01T01:00:00.") and mtime.endswith("Z")
    assert audit_build(recipe, result.directory, only=["subsecond-times"]) == []
    from forensics_kit.builder.audit import BuiltCase
    from forensics_kit.builder.audit.rules.filesystem import SubsecondTimes

    case = BuiltCase(recipe, result.directory)
    files = case.disk_files("disk")
    whole = [dataclasses.replace(f, raw_times=(f.raw_times[0], 0, *f.raw_times[2:])) for f in files]
    case.disk_files = lambda _evidence: whole + whole  # the same image as if every time were whole seconds
    findings = list(SubsecondTimes().check(case))
    assert len(findings) == 1 and "whole-second modification time on ext4" in findings[0].message()
