"""Chrome's ClientHello as Chrome 120 writes it, and a host's hellos checked against its browser, agent and OS."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_audit import _build, _recipe

from forensics_kit.builder.audit import audit_build
from forensics_kit.builder.audit.rules.tls import client_hellos, profile
from forensics_kit.builder.traffic import Capture
from forensics_kit.builder.world.http_clients import browser_of
from forensics_kit.net import tls_sessions
from forensics_kit.net.tls_wire import is_grease

CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.0.0 Safari/537.36")


def _chrome_capture(tmp_path, n: int = 4):
    capture = Capture(start=1714528800.0, seed=5)
    ws = capture.add_host("ws", "192.168.1.20", "3c:52:82:00:00:01", os="windows-10", browser=CHROME_UA)
    server = capture.add_host("srv", "198.51.100.20", "00:1a:2b:00:00:01", os="linux")
    for k in range(n):
        capture.tls(ws, server, sni="mail.example.com", at=1 + k, version="1.3")
    path = tmp_path / "chrome.pcap"
    return path, capture.write(path)


def test_chrome_greases_shuffles_its_extensions_and_keeps_one_set(tmp_path):
    path, truth = _chrome_capture(tmp_path)
    sessions = list(truth["sessions"].values())
    assert {s["client_software"] for s in sessions} == {"chrome"}
    read = tls_sessions(path)
    assert [s.ja3 for s in read] == [s["ja3"] for s in sessions]  # the kit reads the JA3 the builder wrote
    assert len({s.ja3 for s in read}) == len(read)  # a new extension order on every connection
    assert len({frozenset(s.ja3.split(",")[2].split("-")) - {"21"} for s in read}) == 1  # the same set
    for s in read:
        assert s.alpn == ["h2", "http/1.1"] and {"TLS 1.3", "TLS 1.2"} <= set(s.versions)
        extensions = {int(e) for e in s.ja3.split(",")[2].split("-")}
        assert {27, 17513, 65037, 43, 51, 45} <= extensions  # brotli, ALPS, ECH GREASE, TLS 1.3
        assert s.ja3.split(",")[3] == "29-23-24"


def test_chrome_hellos_carry_grease_where_boringssl_puts_it(tmp_path):
    path, _ = _chrome_capture(tmp_path, 2)
    hellos = [h for _, _, _, h in _flows(path)]
    assert hellos and all(profile(h) == "chrome" for h in hellos)
    for hello in hellos:
        assert is_grease(hello.ciphers[0]) and is_grease(hello.extensions[0])
        assert is_grease(hello.groups[0]) and is_grease(hello.supported_versions[0])
        last = hello.extensions[-2] if hello.extensions[-1] == 21 else hello.extensions[-1]  # padding goes last
        assert [e for e in hello.extensions if is_grease(e)] == [hello.extensions[0], last]


def _flows(path):
    """ClientHellos of a loose capture, read as the audit reads a built one."""
    from forensics_kit.builder.audit.evidence import _packet
    from forensics_kit.net.decode import decode
    from forensics_kit.net.reader import CaptureReader

    packets = [p for p in (_packet(n, ts, lt, data, decode) for n, ts, _l, lt, data, _i
                           in CaptureReader(path).records()) if p is not None]

    class Loose:
        def __init__(self):
            self._packets = packets

        def packets(self, _evidence):
            return self._packets

    from forensics_kit.builder.audit.evidence import BuiltCase

    loose = Loose()
    loose.flows = lambda evidence: BuiltCase.flows.__wrapped__(loose, evidence)
    return list(client_hellos(loose, "capture"))


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_tshark_dissects_chrome_hellos_cleanly_with_the_same_ja3(tmp_path):
    path, truth = _chrome_capture(tmp_path)
    out = subprocess.run(["tshark", "-r", str(path), "-Y", "tls.handshake.type==1", "-T", "fields",
                          "-e", "tls.handshake.extensions_server_name", "-e", "tls.handshake.ja3_full"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert [line.split("\t") for line in out if line] == [["mail.example.com", s["ja3"]]
                                                          for s in truth["sessions"].values()]
    malformed = subprocess.run(["tshark", "-r", str(path), "-Y", "_ws.malformed"], capture_output=True, text=True)
    assert malformed.stdout.strip() == ""


@pytest.mark.parametrize(("value", "browser"), [
    (CHROME_UA, "chrome"), (CHROME_UA + " Edg/120.0.2210.91", "edge"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0", "firefox"),
    ("Edge", "edge")])
def test_a_browser_is_named_or_read_from_its_user_agent(value, browser):
    assert browser_of(value) == browser


def test_curl_is_no_browser():
    with pytest.raises(ValueError, match="chrome, edge or firefox"):
        browser_of("curl/8.5.0")


def _tls(recipe: dict, **extra) -> dict:
    recipe["evidence"][1]["sessions"].append({"id": "mail", "type": "tls", "client": "ws", "server": "web",
                                              "sni": "mail.example.com", "version": "1.3", "at": 3, **extra})
    return recipe


def test_a_declared_chrome_host_sends_chromes_hello_and_the_rule_is_clean(tmp_path):
    recipe = _tls(_recipe())
    recipe["evidence"][1]["hosts"]["ws"].update(os="windows-10", browser="chrome")
    loaded, result = _build(tmp_path, recipe)
    assert result.truth["sessions"]["mail"]["client_software"] == "chrome"
    assert result.truth["hosts"]["ws"]["browser"] == "chrome"
    assert audit_build(loaded, result.directory, only=["tls-client-host"]) == []


def test_a_firefox_hello_from_a_declared_chrome_host_breaks_the_rule(tmp_path):
    recipe = _tls(_recipe(), software="firefox")
    recipe["evidence"][1]["hosts"]["ws"].update(os="windows-10", browser="chrome")
    loaded, result = _build(tmp_path, recipe)
    messages = [f.message() for f in audit_build(loaded, result.directory, only=["tls-client-host"])]
    assert len(messages) == 1 and "is declared to browse with chrome" in messages[0] and "Firefox's" in messages[0]


def test_a_hello_of_another_browser_than_the_user_agent_breaks_the_rule(tmp_path):
    recipe = _tls(_recipe(), software="firefox")
    recipe["evidence"][1]["sessions"][-2]["user_agent"] = CHROME_UA  # the plain-HTTP page says Chrome
    loaded, result = _build(tmp_path, recipe)
    messages = [f.message() for f in audit_build(loaded, result.directory, only=["tls-client-host"])]
    assert len(messages) == 1 and "sends the User-Agent of chrome" in messages[0], messages


def test_apts_hello_from_a_windows_host_breaks_the_rule(tmp_path):
    recipe = _tls(_recipe(), software="apt")
    recipe["evidence"][1]["hosts"]["ws"]["os"] = "windows-10"
    loaded, result = _build(tmp_path, recipe)
    messages = [f.message() for f in audit_build(loaded, result.directory, only=["tls-client-host"])]
    assert len(messages) == 1 and "runs windows-10" in messages[0], messages
    assert messages[0].endswith("is apt (GnuTLS)'s, a program of another OS")


def test_windows_update_and_telemetry_share_windows_own_stack_without_an_ioc_finding(tmp_path):
    recipe = _tls(_recipe(), software="schannel", version="1.2", sni="fe2cr.update.microsoft.com")
    recipe["evidence"][1]["sessions"].append({"id": "telemetry", "type": "tls", "client": "ws", "server": "web",
                                              "sni": "v10.events.data.microsoft.com", "version": "1.2",
                                              "software": "schannel", "at": 5})
    recipe["evidence"][1]["hosts"]["ws"]["os"] = "windows-10"
    loaded, result = _build(tmp_path, recipe)
    sessions = result.truth["sessions"]
    assert sessions["mail"]["ja3"] == sessions["telemetry"]["ja3"] and sessions["mail"]["version"] == "1.2"
    assert audit_build(loaded, result.directory, only=["ja3-updater", "tls-client-host"]) == []


def test_schannels_hello_from_a_linux_host_breaks_the_rule(tmp_path):
    recipe = _tls(_recipe(), software="schannel", version="1.2")
    recipe["evidence"][1]["hosts"]["ws"]["os"] = "ubuntu-22.04"
    loaded, result = _build(tmp_path, recipe)
    messages = [f.message() for f in audit_build(loaded, result.directory, only=["tls-client-host"])]
    assert len(messages) == 1 and messages[0].endswith("is Windows SChannel's, a program of another OS"), messages
