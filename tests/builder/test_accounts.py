"""useradd and passwd on the timeline: one event, rendered into auth.log, the account files and the new home."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from disk_helpers import WINDOW, tsk

from forensics_kit.builder import build_case
from forensics_kit.builder.accounts import SKEL
from forensics_kit.disk import open_image, stat_entry

AT, PW_AT = "2024-03-05T22:10:04Z", "2024-03-05T22:11:30Z"


def _recipe(folder: Path, via: str = "passwd") -> Path:
    recipe = {
        "case": "t-accounts", "title": {"en": "accounts"}, "seed": 5, "window": WINDOW,
        "world": {"hosts": {"srv": {"ip": "10.0.0.5", "os": "ubuntu-22.04", "disk": "root",
                                    "users": {"alice": {"uid": 1000}}}}},
        "timeline": [
            {"id": "new_user", "do": "useradd", "at": AT, "host": "srv", "by": "alice", "user": "mallory",
             "uid": 1050, "shell": "/bin/bash", "sudo": True, "pwd": "/tmp"},
            {"id": "new_password", "do": "passwd", "via": via, "at": PW_AT, "host": "srv", "by": "alice",
             "user": "mallory", "sudo": True, "pwd": "/tmp"},
        ],
        "evidence": [{
            "id": "root", "type": "disk", "file": "root.dd", "size": "16MiB", "scheme": "none",
            "formatted": "2024-02-02T09:00:00Z", "filesystem": {"type": "ext4", "subsecond": True},
            "items": [
                {"id": "authlog", "path": "/var/log/auth.log",
                 "content": {"generate": "auth_log", "host": "srv", "timeline": "srv", "events": []},
                 "times": {"modified": "2024-03-05T22:20:00Z"}},
                {"id": "passwd", "path": "/etc/passwd",
                 "content": {"generate": "passwd", "timeline": "srv",
                             "lines": ["root:x:0:0:root:/root:/bin/bash",
                                       "alice:x:1000:1000:alice,,,:/home/alice:/bin/bash"]}},
                {"id": "shadow", "path": "/etc/shadow", "owner": "0:42", "mode": "0640",
                 "content": {"generate": "shadow", "timeline": "srv", "lines": ["root:*:19765:0:99999:7:::"]}},
                {"id": "group", "path": "/etc/group",
                 "content": {"generate": "group", "timeline": "srv", "lines": ["root:x:0:", "sudo:x:27:alice"]}},
            ]}],
    }
    path = folder / "t-accounts.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("accounts")
    return build_case(_recipe(folder), folder / "out")


def _image(built) -> Path:
    return built.directory / "root.dd"


def _text(built, path: str) -> str:
    with open_image(_image(built)) as img:
        return img.read(path).decode()


def test_sudo_useradd_and_passwd_log_what_they_really_log(built):
    lines = [line.split(" srv ", 1)[1] for line in _text(built, "/var/log/auth.log").splitlines()]
    assert lines[0] == ("sudo:    alice : TTY=pts/0 ; PWD=/tmp ; USER=root ; "
                        "COMMAND=/usr/sbin/useradd -m -s /bin/bash mallory")
    assert lines[1] == "sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)"
    assert lines[2].endswith("new group: name=mallory, GID=1050") and lines[2].startswith("useradd[")
    assert lines[3].endswith("new user: name=mallory, UID=1050, GID=1050, home=/home/mallory, shell=/bin/bash, "
                             "from=/dev/pts/0")
    assert lines[4] == "sudo: pam_unix(sudo:session): session closed for user root"
    assert lines[5] == "sudo:    alice : TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/passwd mallory"
    assert lines[7].startswith("passwd[") and lines[7].endswith(
        "]: pam_unix(passwd:chauthtok): password changed for mallory")


def test_the_account_files_get_the_new_lines_and_their_times(built):
    assert _text(built, "/etc/passwd").splitlines()[-1] == "mallory:x:1050:1050::/home/mallory:/bin/bash"
    assert _text(built, "/etc/group").splitlines()[-1] == "mallory:x:1050:"
    name, secret, changed, *rest = _text(built, "/etc/shadow").splitlines()[-1].split(":")
    assert (name, secret[:7], changed, rest) == ("mallory", "$y$j9T$", "19787", ["0", "99999", "7", "", "", ""])
    items = built.truth["items"]
    assert items["passwd"]["mtime"].startswith("2024-03-05T22:10:04")  # written by useradd
    assert items["group"]["mtime"].startswith("2024-03-05T22:10:04")
    assert items["shadow"]["mtime"].startswith("2024-03-05T22:11:30")  # and again by passwd


def test_useradd_m_makes_a_home_of_the_new_uid_with_the_skeleton(built):
    with open_image(_image(built)) as img:
        home = stat_entry(img, "/home/mallory")
        assert (home.uid, home.gid, home.mode[-9:]) == (1050, 1050, "rwxr-x---")
        assert home.times["crtime"].startswith("2024-03-05T22:10:04")
        for name, text in SKEL.items():
            copy, skel = stat_entry(img, f"/home/mallory/{name}"), stat_entry(img, f"/etc/skel/{name}")
            assert img.read(f"/home/mallory/{name}").decode() == text == img.read(f"/etc/skel/{name}").decode()
            assert (copy.uid, copy.gid, skel.uid) == (1050, 1050, 0)
            # copy_tree keeps the skeleton's modification time; birth and change are the useradd's
            assert copy.times["mtime"][:19] == skel.times["mtime"][:19] == "2024-02-12T09:05:00"
            assert copy.times["crtime"].startswith(AT[:19]) and copy.times["ctime"].startswith(AT[:19])
    assert "home/mallory/.bashrc" in tsk("fls", "-r", "-p", _image(built))


def test_chpasswd_logs_through_its_own_pam_service(tmp_path):
    result = build_case(_recipe(tmp_path, via="chpasswd"), tmp_path / "out")
    with open_image(result.directory / "root.dd") as img:
        log = img.read("/var/log/auth.log").decode()
    assert "COMMAND=/usr/sbin/chpasswd\n" in log
    assert "]: pam_unix(chpasswd:chauthtok): password changed for mallory\n" in log


def _linux_disk(folder: Path, items: list[dict]) -> tuple:
    from forensics_kit.builder import load_recipe

    recipe = {"case": "t-linux", "title": {"en": "linux"}, "seed": 5, "window": WINDOW, "evidence": [{
        "id": "root", "type": "disk", "file": "root.dd", "size": "16MiB", "scheme": "none",
        "formatted": "2024-02-02T09:00:00Z", "filesystem": {"type": "ext4", "subsecond": True}, "items": items}]}
    path = folder / "t-linux.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    return load_recipe(path), build_case(path, folder / "out")


def _log(events: list[dict]) -> dict:
    return {"id": "authlog", "path": "/var/log/auth.log", "times": {"modified": "2024-03-06T00:00:00Z"},
            "content": {"generate": "auth_log", "host": "srv", "year": 2024, "events": events}}


def test_a_history_sudo_that_auth_log_dates_elsewhere_breaks_sudo_history(tmp_path):
    from forensics_kit.builder.audit import audit_build

    history = {"id": "history", "path": "/home/alice/.bash_history", "owner": "1000",
               "times": {"modified": "2024-03-05T22:30:00Z"},
               "content": {"generate": "bash_history", "timestamps": True, "commands": [
                   {"time": "2024-03-05T22:00:00Z", "command": "sudo -l"},
                   {"time": "2024-03-05T22:05:00Z", "command": "echo 'bob:pw' | sudo chpasswd"}]}}
    log = _log([{"kind": "sudo", "time": "2024-03-05T22:00:47Z", "user": "alice", "command": "list"},
                {"kind": "sudo", "time": "2024-03-05T22:05:01Z", "user": "alice", "command": "/usr/sbin/chpasswd"}])
    recipe, result = _linux_disk(tmp_path, [history, log])
    found = sorted((f.where, f.text["en"]) for f in audit_build(recipe, result.directory, only=["sudo-history"]))
    assert found == [
        ("/home/alice/.bash_history", "/home/alice/.bash_history has 'sudo list' at 2024-03-05 22:00:00 UTC, "
                                      "auth.log has no sudo line of alice naming list then"),
        ("/var/log/auth.log line 1", "/var/log/auth.log line 1: alice ran COMMAND=list by sudo, but "
                                     "/home/alice/.bash_history has no sudo list then"),
    ]  # chpasswd, 1 s apart and through a pipe, agrees


def test_a_logged_useradd_without_its_account_files_and_home_breaks_account_files(tmp_path):
    from forensics_kit.builder.audit import audit_build

    passwd = {"id": "passwd", "path": "/etc/passwd", "times": {"modified": "2024-03-05T22:00:00Z"},
              "content": {"text": "root:x:0:0:root:/root:/bin/bash\nbob:x:1050:1050::/home/bob:/bin/bash\n"}}
    shadow = {"id": "shadow", "path": "/etc/shadow", "times": {"modified": "2024-03-05T22:00:00Z"},
              "content": {"text": "root:*:19765:0:99999:7:::\nbob:!:19700:0:99999:7:::\n"}}
    group = {"id": "group", "path": "/etc/group", "times": {"modified": "2024-03-05T22:00:00Z"},
             "content": {"text": "root:x:0:\n"}}
    profile = {"id": "profile", "path": "/home/bob/.profile", "times": {"modified": "2024-03-05T22:00:00Z"},
               "content": {"text": "# skel\n"}}  # owned by root, as the old hand-written recipes planted it
    log = _log([{"kind": "useradd", "time": "2024-03-05T22:00:00Z", "user": "bob", "uid": 1050},
                {"kind": "useradd", "time": "2024-03-05T22:00:01Z", "user": "eve", "uid": 1051},
                {"kind": "passwd", "time": "2024-03-05T22:01:00Z", "user": "bob"}])
    recipe, result = _linux_disk(tmp_path, [passwd, shadow, group, profile, log])
    found = sorted((f.where, f.text["en"]) for f in audit_build(recipe, result.directory, only=["account-files"]))
    assert found == [
        ("/etc/group", "useradd logged bob with GID 1050, /etc/group has no group 1050"),
        ("/etc/group", "useradd logged eve with GID 1051, /etc/group has no group 1051"),
        ("/etc/passwd", "useradd logged eve (UID 1051, GID 1051, home /home/eve); /etc/passwd has no line"),
        ("/etc/shadow", "auth.log: password changed for bob on 2024-03-05, /etc/shadow's last change is 19700"),
        ("/etc/shadow", "useradd logged eve, /etc/shadow has no entry for it"),
        ("/home/bob", "useradd logged bob with home /home/bob: owned by uid 0"),
        ("/home/eve", "useradd logged eve with home /home/eve: no such directory"),
    ]


def test_the_timeline_rendered_accounts_pass_both_linux_rules(built, tmp_path):
    from forensics_kit.builder import load_recipe
    from forensics_kit.builder.audit import audit_build

    recipe = load_recipe(_recipe(tmp_path))
    assert audit_build(recipe, built.directory, only=["account-files", "sudo-history"]) == []
