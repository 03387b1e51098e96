"""Our hives read back by libregf, hivexsh and RegRipper's plugins: the same keys, values and times."""

from __future__ import annotations

import re
import subprocess

import pytest
from windows_case import ANNA_SID, need

from forensics_kit.windows import open_hive

CONFIG = "Windows/System32/config"


def rip(case, hive: str, plugin: str) -> str:
    tool = need("regripper")
    result = subprocess.run([tool, "-r", str(case.root / "tree" / hive), "-p", plugin], capture_output=True,
                            text=True, check=False)
    return result.stdout


def test_every_key_and_value_reads_back_as_written(wincase):
    from forensics_kit.builder.windows.regf import encode_value  # noqa: F401 - the writer's encoding

    with open_hive(wincase.files[f"/{CONFIG}/SYSTEM"]) as hive:
        keys = list(hive.walk())
        stor = hive.key(f"ControlSet001\\Enum\\USBSTOR\\{wincase.stick.device}\\{wincase.stick.instance}")
    assert len(keys) > 40
    assert stor.get("FriendlyName") == "SanDisk Cruzer Blade USB Device"
    assert stor.last_written == "2024-03-07T10:00:00Z"
    assert "HardwareID" in [v.name for v in stor.values]


def _hivex_value(text: str) -> tuple[int | None, bytes | str | int]:
    """hivexsh's ``lsval`` right-hand side: ``"text"``, ``str(2):"text"``, ``dword:0000000a``, ``hex(N):aa,bb``."""
    if text.startswith('"'):
        return None, text[1:-1].replace('\\\\', '\\').replace('\\"', '"')
    if text.startswith("str("):
        kind, _, quoted = text.partition(":")
        return -int(kind[4:-1]), quoted[1:-1].replace('\\\\', '\\')
    if text.startswith("dword:"):
        return 4, int(text[6:], 16)
    kind, _, data = text.partition(":")
    return int(kind[4:-1]), bytes.fromhex(data.replace(",", ""))


def test_hivexsh_reads_every_value_as_the_kit_does(wincase):
    tool = need("hivexsh")
    path = wincase.root / "tree" / CONFIG / "SYSTEM"
    with open_hive(path) as hive:
        keys = [k for k in hive.walk() if k.values]
    script = "".join(f"cd \\{k.path}\nlsval\n" for k in keys)
    out = subprocess.run([tool, str(path)], input=script, capture_output=True, text=True, check=True).stdout
    pairs = re.findall(r'^("(?:[^"\\]|\\.)*"|@)=(.*)$', out, flags=re.MULTILINE)
    ours = [v for k in keys for v in k.values]
    assert len(pairs) == len(ours) > 40
    for (name, text), value in zip(pairs, ours, strict=True):
        assert ("" if name in ("@", '"@"') else name[1:-1].replace("\\\\", "\\")) == value.name
        kind, data = _hivex_value(text)
        if kind is None:
            assert value.type == "REG_SZ" and data == value.data
        elif kind == 4:
            assert value.type == "REG_DWORD" and data == value.data
        elif kind < 0:
            assert value.type == "REG_EXPAND_SZ" and data == value.data
        else:
            assert data == value.raw, value.name


def test_regripper_usbstor_reports_the_sticks_and_times(wincase):
    out = rip(wincase, f"{CONFIG}/SYSTEM", "usbstor")
    assert "S/N: 4C530001231120115142&0 [2024-03-07 10:00:00Z]" in out
    assert "First InstallDate     : 2024-03-05 12:00:00Z" in out
    assert "Last Arrival          : 2024-03-07 10:00:00Z" in out
    assert "Last Removal          : 2024-03-07 11:00:00Z" in out
    assert "FriendlyName          : Kingston DataTraveler 3.0 USB Device" in out


def test_regripper_mountdev_timezone_compname(wincase):
    mount = rip(wincase, f"{CONFIG}/SYSTEM", "mountdev")
    assert re.search(r"#4C530001231120115142&0#.*\n\s+\\DosDevices\\E:", mount)
    zone = rip(wincase, f"{CONFIG}/SYSTEM", "timezone")
    assert "ActiveTimeBias -> -180 (-3 hours)" in zone
    assert "ComputerName    = WS01" in rip(wincase, f"{CONFIG}/SYSTEM", "compname")


def test_regripper_reads_the_user_hive(wincase):
    hive = "Users/anna/NTUSER.DAT"
    assert re.search(r"2024-03-07 10:10:00Z\n\s+E:\\tools\\rclone.exe \(3\)", rip(wincase, hive, "userassist"))
    docs = rip(wincase, hive, "recentdocs")
    assert "1 = clients.xlsx" in docs and "0 = Transfer plan.docx" in docs
    assert "OneDriveSync - C:\\Users\\anna\\AppData\\Roaming\\sync.exe" in rip(wincase, hive, "run")
    assert "WinUpd - C:\\ProgramData\\upd\\upd.exe" in rip(wincase, f"{CONFIG}/SOFTWARE", "run")


def test_regripper_samparse_reads_accounts(wincase):
    out = rip(wincase, f"{CONFIG}/SAM", "samparse")
    assert "Username        : anna [1001]" in out
    assert f"SID             : {ANNA_SID}" in out
    assert "Full Name       : Anna Petrova" in out
    assert "Login Count     : 17" in out
    # RegRipper's getTime() converts FILETIMEs through floating point and can land a second early
    assert re.search(r"Last Login Date : Thu Mar  7 0(8:59:59|9:00:00) 2024 Z", out)
    assert "--> Account Disabled" in out


def test_a_missing_key_is_not_found(wincase):
    from forensics_kit.errors import NotFoundError

    with open_hive(wincase.files[f"/{CONFIG}/SYSTEM"]) as hive, pytest.raises(NotFoundError):
        hive.key("ControlSet009")


def test_accounts_and_user_activity_agree_with_regripper(wincase):
    from forensics_kit.windows import local_accounts, recent_docs, run_entries, user_assist

    with open_hive(wincase.files[f"/{CONFIG}/SAM"]) as sam:
        accounts = {a.name: a for a in local_accounts(sam)}
    out = rip(wincase, f"{CONFIG}/SAM", "samparse")
    for account in accounts.values():
        assert f"Username        : {account.name} [{account.rid}]" in out
        assert f"SID             : {account.sid}" in out
        assert f"Login Count     : {account.logon_count}" in out
    anna = accounts["anna"]
    assert (anna.sid, anna.full_name, anna.last_logon, anna.disabled) == (ANNA_SID, "Anna Petrova",
                                                                           "2024-03-07T09:00:00Z", False)
    assert accounts["Administrator"].disabled and anna.created == "2024-03-05T09:00:00Z"
    with open_hive(wincase.files["/Users/anna/NTUSER.DAT"]) as ntuser:
        assist = user_assist(ntuser)
        docs = recent_docs(ntuser)
        runs = run_entries(ntuser)
    assert [(e.program, e.run_count, e.last_run) for e in assist] == [("E:\\tools\\rclone.exe", 3,
                                                                       "2024-03-07T10:10:00Z")]
    ripped = re.findall(r"^\s+\d+ = (.+)$", rip(wincase, "Users/anna/NTUSER.DAT", "recentdocs"), flags=re.MULTILINE)
    assert docs == ["clients.xlsx", "Transfer plan.docx"] == ripped[:2]
    assert runs == {"OneDriveSync": "C:\\Users\\anna\\AppData\\Roaming\\sync.exe"}


def test_shellbags_agree_with_regripper(wincase):
    from forensics_kit.windows import shell_bags

    hive = "Users/anna/AppData/Local/Microsoft/Windows/UsrClass.dat"
    with open_hive(wincase.files[f"/{hive}"]) as usrclass:
        bags = shell_bags(usrclass)
    out = rip(wincase, hive, "shellbags")
    ripped = re.findall(r"\|(My Computer[^\[]*?) \[Desktop\\([\d\\]+)\\\]$", out, flags=re.MULTILINE)
    assert [(b.path, b.key) for b in bags] == ripped
    docs = next(b for b in bags if b.path == "My Computer\\E:\\Docs")
    assert (docs.browsed, docs.modified) == ("2024-03-07T10:09:00Z", "2024-03-05T11:00:00Z")
    line = next(row for row in out.splitlines() if row.endswith("|My Computer\\E:\\Docs [Desktop\\0\\0\\0\\]"))
    assert line.startswith("2024-03-07 10:09:00") and "|2024-03-05 11:00:00" in line
