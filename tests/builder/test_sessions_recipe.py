"""Every network session type built from a recipe: schema accepts it, tshark reads what truth says."""

from __future__ import annotations

import base64
import email
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from forensics_kit.builder import build_case

needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None,
                                  reason="tshark is not installed (apt-get install tshark)")

RECIPE = """
case: net-sessions
title: {en: "All session types", ru: "Все типы сессий"}
seed: 7
window: {start: "2024-03-01T00:00:00Z", end: "2024-04-01T00:00:00Z"}
evidence:
  - id: capture
    type: pcap
    file: capture.pcapng
    format: pcapng
    start: "2024-03-04T09:00:00Z"
    hosts:
      ws: {ip: "192.168.1.23"}
      gw: {ip: "192.168.1.1"}
      srv: {ip: "192.168.1.50"}
      att: {ip: "192.168.1.66"}
      c2: {ip: "203.0.113.80", mac: "00:1a:2b:00:00:01"}
    sessions:
      - {id: raw, type: tcp, client: ws, server: c2, port: 4444, at: 0.5, retransmit: true,
         messages: [{side: server, text: "HELLO\\n"}, {side: client, text: "id\\n", think_ms: 300},
                    {side: server, content: {generate: bytes, size: 3000}}]}
      - {id: ping, type: udp, client: ws, server: c2, port: 9999, at: 0.7,
         messages: [{side: client, text: "knock"}, {side: server, text: "open"}]}
      - id: ftp
        type: ftp
        client: ws
        server: srv
        user: alice
        password: "S3cret!"
        at: 1
        commands:
          - {command: PWD}
          - {command: LIST}
          - {command: RETR, arg: plan.zip, content: {generate: zip}}
          - {command: STOR, arg: loot.txt, content: {text: "customer list"}}
      - {id: ftp_active, type: ftp, client: ws, server: c2, user: bob, password: pw, mode: active, at: 20,
         commands: [{command: RETR, arg: tool.bin, content: {generate: bytes, size: 5000}}]}
      - id: mail
        type: smtp
        client: ws
        server: c2
        at: 30
        user: alice@corp.example
        password: Winter2024
        mail:
          from: alice@corp.example
          from_name: Alice
          to: [drop@evil.example]
          subject: "Q1 numbers"
          body: "see attached"
          attachments: [{name: numbers.zip, content: {generate: zip}, content_type: application/zip}]
      - {id: pop, type: pop3, client: ws, server: srv, user: bob, password: pop-pw, at: 40,
         mail: {from: a@corp.example, to: [bob@corp.example], subject: hi, body: hello}}
      - {id: imap, type: imap, client: ws, server: srv, user: bob, password: imappw, at: 45}
      - {id: tel, type: telnet, client: ws, server: srv, user: root, password: toor, at: 50,
         commands: [{command: id, output: "uid=0(root) gid=0(root)"}]}
      - {id: tls, type: tls, client: ws, server: c2, sni: portal.example.com, at: 80}
      - {id: upload, type: http_post, client: ws, server: c2, host: c2.example, uri: /upload, at: 85,
         upload: {name: passwords.txt, content: {text: "admin:admin"}}}
      - {id: scan, type: port_scan, client: att, server: srv, ports: ["20-25", 80, 443], open: [22, 80], at: 90}
      - {id: brute, type: brute_force, client: att, server: srv, service: ftp, user: admin,
         passwords: ["123456", "password", "admin"], success: admin, at: 95}
      - {id: beacon, type: beacon, client: ws, server: c2, count: 4, interval: 5, jitter_pct: 10,
         host: update.example.net, uri: /gate.php, at: 100}
      - {id: tunnel, type: dns_tunnel, client: ws, server: gw, domain: t.evil.example, at: 130,
         content: {text: "the secret plans"}}
      - {id: icmp, type: icmp_exfil, client: ws, server: c2, at: 140, chunk: 8, content: {text: "exfiltrated!"}}
      - {id: arp, type: arp_spoof, client: att, server: ws, gateway: gw, count: 3, at: 150}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("sessions")
    recipe = folder / "net-sessions.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    result = build_case(recipe, folder / "build")
    return result.artefacts["capture"], result.truth["sessions"]


def _tshark(path: Path, *args: str) -> list[list[str]]:
    out = subprocess.run(["tshark", "-n", "-r", str(path), *args], capture_output=True, text=True,
                         check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def _fields(path: Path, where: str, *fields: str) -> list[list[str]]:
    return _tshark(path, "-Y", where, "-T", "fields", *(a for f in fields for a in ("-e", f)))


def test_recipe_builds_pcapng_with_every_session_type(built) -> None:
    path, sessions = built
    assert path.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"
    assert {s["type"] for s in sessions.values()} >= {
        "tcp", "udp", "ftp", "smtp", "pop3", "imap", "telnet", "tls", "http", "port_scan", "brute_force",
        "beacon", "dns_tunnel", "icmp_exfil", "arp_spoof"}


@needs_tshark
def test_only_planned_warnings_scan_resets_and_arp_duplicate(built) -> None:
    path, _ = built
    rows = _fields(path, '_ws.malformed || _ws.expert.severity >= "Warning"', "frame.number",
                   "_ws.expert.message")
    messages = {row[1].split(",")[0] for row in rows}
    assert messages <= {"Connection reset (RST)", "Duplicate IP address configured (192.168.1.1)"}
    assert not _fields(path, "_ws.malformed", "frame.number")
    assert _fields(path, "tcp.analysis.retransmission", "tcp.stream") == [[str(built[1]["raw"]["tcp_stream"])]]


@needs_tshark
def test_ftp_credentials_frames_and_exported_files_match_truth(built, tmp_path: Path) -> None:
    path, sessions = built
    ftp = sessions["ftp"]
    rows = _fields(path, f"tcp.stream == {ftp['tcp_stream']} && ftp.request", "frame.number",
                   "ftp.request.command", "ftp.request.arg")
    assert [str(ftp["user_frame"]), "USER", "alice"] in rows
    assert [str(ftp["pass_frame"]), "PASS", "S3cret!"] in rows
    subprocess.run(["tshark", "-n", "-r", str(path), "-q", "--export-objects", f"ftp-data,{tmp_path}"],
                   capture_output=True, check=True)
    for transfer in ftp["transfers"] + sessions["ftp_active"]["transfers"]:
        exported = (tmp_path / transfer["file"]).read_bytes()
        assert hashlib.sha256(exported).hexdigest() == transfer["sha256"]
        streams = _fields(path, f"tcp.stream == {transfer['tcp_stream']}", "tcp.srcport", "tcp.dstport")
        assert transfer["frames"][0] == int(_fields(path, f"tcp.stream == {transfer['tcp_stream']}",
                                                    "frame.number")[0][0])
        assert streams
    active = sessions["ftp_active"]["transfers"][0]
    first = _fields(path, f"tcp.stream == {active['tcp_stream']}", "tcp.srcport")[0]
    assert first == ["20"]  # the server opened the active data connection


@needs_tshark
def test_smtp_auth_envelope_and_attachment_match_truth(built, tmp_path: Path) -> None:
    path, sessions = built
    smtp = sessions["mail"]
    rows = _fields(path, f"tcp.stream == {smtp['tcp_stream']} && smtp.req", "frame.number",
                   "smtp.req.command", "smtp.auth.username", "smtp.auth.password")
    assert [str(smtp["user_frame"]), "", base64.b64encode(b"alice@corp.example").decode(), ""] in rows
    assert [str(smtp["pass_frame"]), "", "", base64.b64encode(b"Winter2024").decode()] in rows
    assert _fields(path, "imf", "frame.number", "imf.subject")[0] == [str(smtp["data_frame"]), "Q1 numbers"]
    subprocess.run(["tshark", "-n", "-r", str(path), "-q", "--export-objects", f"imf,{tmp_path}"],
                   capture_output=True, check=True)
    eml = (tmp_path / "Q1 numbers.eml").read_bytes()
    assert hashlib.sha256(eml).hexdigest() == smtp["message_sha256"]
    message = email.message_from_bytes(eml)
    attachment = next(part for part in message.walk() if part.get_filename())
    assert attachment.get_filename() == smtp["attachments"][0]["name"] == "numbers.zip"
    assert hashlib.sha256(attachment.get_payload(decode=True)).hexdigest() == smtp["attachments"][0]["sha256"]


@needs_tshark
def test_pop3_imap_and_telnet_logins_are_where_truth_says(built) -> None:
    path, sessions = built
    pop = sessions["pop"]
    assert _fields(path, "pop.request.command == \"PASS\"", "frame.number", "pop.request.parameter") == [
        [str(pop["pass_frame"]), "pop-pw"]]
    imap = sessions["imap"]
    assert _fields(path, "imap.request.command == \"LOGIN\"", "frame.number", "imap.request") == [
        [str(imap["login_frame"]), "a001 LOGIN bob imappw"]]
    tel = sessions["tel"]
    typed = _fields(path, f"tcp.stream == {tel['tcp_stream']} && tcp.dstport == 23 && telnet.data",
                    "frame.number", "telnet.data")
    keys = "".join(data for number, data in typed if int(number) <= tel["pass_frame"])
    assert "root" in keys.replace("\\r\\n", "\n") and "toor" in keys


@needs_tshark
def test_tls_sni_ja3_and_certificate_match_truth(built) -> None:
    path, sessions = built
    tls = sessions["tls"]
    hello = _fields(path, "tls.handshake.type == 1", "frame.number", "tls.handshake.extensions_server_name",
                    "tls.handshake.ja3_full", "tls.handshake.ja3")
    assert hello == [[str(tls["client_hello_frame"]), "portal.example.com", tls["ja3"], tls["ja3_md5"]]]
    server = _fields(path, "tls.handshake.type == 2", "frame.number", "tls.handshake.ja3s_full", "x509ce.dNSName")
    assert server == [[str(tls["server_hello_frame"]), tls["ja3s"], "portal.example.com"]]


@needs_tshark
def test_scan_brute_force_and_beacons_match_truth(built) -> None:
    path, sessions = built
    scan = sessions["scan"]
    synacks = _fields(path, "tcp.flags.syn == 1 && tcp.flags.ack == 1 && ip.src == 192.168.1.50 "
                      f"&& tcp.dstport == {scan['client_port']}", "tcp.srcport")
    assert sorted(int(r[0]) for r in synacks) == scan["open_ports"] == [22, 80]
    assert scan["ports_scanned"] == 8
    brute = sessions["brute"]
    passes = _fields(path, "ftp.request.command == \"PASS\" && ip.src == 192.168.1.66", "ftp.request.arg")
    assert [r[0] for r in passes] == brute["passwords_tried"]
    success = _fields(path, "ftp.response.code == 230 && ip.dst == 192.168.1.66", "frame.number")
    assert success == [[str(brute["success_frame"])]]
    beacon = sessions["beacon"]
    gets = _fields(path, "http.request.uri == \"/gate.php\"", "frame.number")
    assert [int(r[0]) for r in gets] == beacon["request_frames"]


@needs_tshark
def test_dns_tunnel_icmp_exfil_and_arp_spoof_carry_what_truth_says(built) -> None:
    path, sessions = built
    tunnel = sessions["tunnel"]
    names = [r[0] for r in _fields(path, "dns.flags.response == 0 && dns.qry.name contains \"t.evil.example\"",
                                   "dns.qry.name")]
    assert len(names) == tunnel["queries"]
    encoded = "".join(name.split(".")[1] for name in names).upper()
    data = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    assert hashlib.sha256(data).hexdigest() == tunnel["data_sha256"]
    icmp = sessions["icmp"]
    payloads = _fields(path, f"icmp.type == 8 && icmp.ident == {icmp['icmp_id']}", "data.data")
    assert b"".join(bytes.fromhex(r[0]) for r in payloads) == b"exfiltrated!"
    assert icmp["requests"] == 2
    arp = sessions["arp"]
    forged = _fields(path, f"arp.opcode == 2 && eth.src == {arp['attacker_mac']}", "frame.number")
    assert int(forged[0][0]) == arp["first_forged_frame"] and len(forged) == 3


def test_telnet_truth_typed_lines_are_the_kit_parsers_commands(built) -> None:
    from forensics_kit.net.protocols import read_sessions

    path, sessions = built
    parsed = next(s for s in read_sessions(path)["telnet"].results() if s.commands)
    assert parsed.commands == sessions["tel"]["typed"] == [*sessions["tel"]["commands"], "exit"]
