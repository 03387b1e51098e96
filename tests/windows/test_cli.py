"""``fklab disk registry|evtx|lnk|recycle|usb`` on an image: tables, --json lines, one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from forensics_kit.cli.main import cli


def fklab(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def lines(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_registry_key_as_json_and_as_a_table(wincase):
    key = f"ControlSet001\\Enum\\USBSTOR\\{wincase.stick.device}"
    rows = lines(fklab("disk", "registry", str(wincase.image), "/Windows/System32/config/SYSTEM", key, "--json"))
    assert rows[0]["path"] == key and rows[0]["subkeys"] == [wincase.stick.instance]
    table = fklab("disk", "registry", str(wincase.image), r"C:\Windows\System32\config\SYSTEM", key)
    assert table.exit_code == 0 and wincase.stick.instance in table.output
    deep = lines(fklab("disk", "registry", str(wincase.image), "/Windows/System32/config/SYSTEM", key, "-r", "--json"))
    assert any(r["name"] == "0066" for r in deep)


def test_evtx_filters_by_id_and_time(wincase):
    log = "/Windows/System32/winevt/Logs/Security.evtx"
    failures = lines(fklab("disk", "evtx", str(wincase.image), log, "--id", "4625", "--json"))
    assert len(failures) == 12 and {r["data"]["IpAddress"] for r in failures} == {"203.0.113.7"}
    window = lines(fklab("disk", "evtx", str(wincase.image), log, "--from", "2024-03-06T09:02:00",
                         "--to", "2024-03-06T09:03:05", "--json"))
    assert [r["event_id"] for r in window] == [4624, 4672, 4720, 4732]
    table = fklab("disk", "evtx", str(wincase.image), log, "--id", "4624")
    assert "LogonType=10" in table.output


def test_lnk_recycle_and_usb(wincase):
    info = lines(fklab("disk", "lnk", str(wincase.image), wincase.lnk_path, "--json"))[0]
    assert info["volume_serial"] == "1A2B-3C4D" and info["local_path"] == wincase.shortcut.target
    bin_ = lines(fklab("disk", "recycle", str(wincase.image), "--json"))
    assert [r["original_path"] for r in bin_] == [r[0] for r in wincase.recycled]
    usb = lines(fklab("disk", "usb", str(wincase.image), "--json"))
    assert [d["serial"] for d in usb] == ["60A44C413A8CF1A0B9A70F2B", "4C530001231120115142"]
    assert "4C530001231120115142" in fklab("disk", "usb", str(wincase.image)).output


def test_headers_are_russian_under_lang_ru(wincase):
    result = fklab("--lang", "ru", "disk", "usb", str(wincase.image))
    assert "Первое подключение (UTC)" in result.output and "Серийный номер тома" in result.output


def test_a_malformed_artefact_is_one_line_of_error(wincase):
    for args in (("evtx", "/Windows/System32/winevt/Logs/Broken.evtx"), ("evtx", "/Users/anna/NTUSER.DAT"),
                 ("lnk", "/Users/anna/NTUSER.DAT"), ("registry", "/Windows/INF/setupapi.dev.log")):
        result = CliRunner().invoke(cli, ["disk", args[0], str(wincase.image), args[1]])
        assert result.exit_code == 1, result.output
        message = result.output.strip()
        assert message.count("\n") == 0 and "Traceback" not in message, message


def test_evtx_summary_names_the_guessing_address(wincase):
    rows = lines(fklab("disk", "evtx", str(wincase.image), "/Windows/System32/winevt/Logs/Security.evtx",
                       "--summary", "--json"))
    assert rows[0] | {"first_time": None, "last_time": None} == {
        "source_ip": "203.0.113.7", "failures": 12, "successes": 1, "first_time": None, "last_time": None,
        "users_tried": ["admin", "administrator"], "users_logged_in": ["Administrator"], "logon_types": [3, 10]}
