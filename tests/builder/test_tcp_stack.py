"""TCP fingerprints: each OS's SYN, SYN/ACK, windows, timestamps and ports, as p0f and tshark read them."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from test_audit import _build, _recipe

from forensics_kit.builder import load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.builder.world.tcp_stack import offered_options, options_layout, tcp_stack

needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")


@pytest.mark.parametrize(("os", "layout"), [
    ("windows-10", "MSS,NOP,WS=8,NOP,NOP,SACK_PERM"),
    ("ubuntu-22.04", "MSS,SACK_PERM,TS,NOP,WS=7"),
    ("kali", "MSS,SACK_PERM,TS,NOP,WS=7"),
    ("macos-14", "MSS,NOP,WS=6,NOP,NOP,TS,SACK_PERM"),
    ("cisco-ios", "MSS"),
])
def test_each_os_opens_a_connection_with_its_own_syn_options(os, layout):
    assert options_layout(tcp_stack(os).syn_options(1460, tsval=7)) == layout


def test_a_syn_ack_answers_only_what_the_syn_offered_in_the_servers_own_order():
    linux, windows = tcp_stack("debian-12"), tcp_stack("windows-10")
    assert options_layout(linux.synack_options(1460, windows.offers)) == "MSS,NOP,NOP,SACK_PERM,NOP,WS=7"
    assert options_layout(linux.synack_options(1460, linux.offers)) == "MSS,SACK_PERM,TS,NOP,WS=7"
    assert options_layout(windows.synack_options(1460, linux.offers)) == "MSS,NOP,WS=8,NOP,NOP,SACK_PERM"
    nmap_syn = b"\x02\x04\x05\xb4"
    assert offered_options(nmap_syn) == frozenset()
    assert options_layout(linux.synack_options(1460, offered_options(nmap_syn))) == "MSS"


def test_ephemeral_ports_follow_the_os():
    assert tcp_stack("windows-11").ephemeral == (49152, 65535)
    assert tcp_stack("ubuntu-24.04").ephemeral == (32768, 60999)


def _fields(pcap, display_filter: str, *fields: str) -> list[list[str]]:
    args = ["tshark", "-n", "-r", str(pcap), "-Y", display_filter, "-T", "fields"]
    for field in fields:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def _with_os(ws_os: str) -> dict:
    recipe = _recipe()
    recipe["evidence"][1]["hosts"]["ws"]["os"] = ws_os
    return recipe


@needs_tshark
def test_a_windows_client_and_a_linux_server_negotiate_no_timestamps_as_tshark_reads_it(tmp_path):
    _recipe_, result = _build(tmp_path, _with_os("windows-10"))
    pcap, ws = result.artefacts["net"], str(result.truth["hosts"]["ws"]["ip"])
    syns = _fields(pcap, f"tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src=={ws}", "tcp.options.wscale.shift",
                   "tcp.window_size_value", "tcp.options.timestamp.tsval", "tcp.srcport")
    assert syns and all(s[:3] == ["8", "64240", ""] and 49152 <= int(s[3]) for s in syns)
    assert not _fields(pcap, "tcp.options.timestamp.tsval", "frame.number")
    synacks = _fields(pcap, "tcp.flags.syn==1 && tcp.flags.ack==1 && ip.src==203.0.113.9",
                      "tcp.options.wscale.shift", "tcp.window_size_value")
    assert synacks == [["7", "64240"]]


@needs_tshark
def test_two_linux_hosts_carry_timestamps_on_every_segment_and_tshark_flags_nothing(tmp_path):
    _recipe_, result = _build(tmp_path, _with_os("ubuntu-22.04"))
    pcap = result.artefacts["net"]
    rows = _fields(pcap, "tcp && ip.addr==203.0.113.9", "ip.src", "tcp.options.timestamp.tsval", "tcp.len",
                   "tcp.srcport")
    assert rows and all(r[1] for r in rows)
    assert max(int(r[2]) for r in rows) <= 1448  # 1460 minus the 12 bytes of NOP NOP TS
    client = [r for r in rows if r[0] != "203.0.113.9"]
    assert all(32768 <= int(r[3]) <= 60999 for r in client)
    for sender in {r[0] for r in rows}:
        values = [int(r[1]) for r in rows if r[0] == sender]
        assert values == sorted(values)
    assert not _fields(pcap, "tcp.analysis.flags && !tcp.analysis.window_update", "frame.number")


def test_a_host_declared_as_another_os_than_its_handshakes_is_found(tmp_path):
    recipe = _with_os("ubuntu-22.04")
    _loaded, result = _build(tmp_path, recipe)
    assert audit_build(_loaded, result.directory, only=["tcp-fingerprint"]) == []
    recipe["evidence"][1]["hosts"]["web"]["os"] = "windows-2022"
    lying = tmp_path / "bad-01.yaml"
    lying.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    findings = audit_build(load_recipe(lying), result.directory, only=["tcp-fingerprint"])
    assert findings and findings[0].evidence == "net"
    assert ("203.0.113.9 (windows-2022) sends a SYN/ACK with options MSS,SACK_PERM,TS,NOP,WS=7; "
            "windows-2022 sends MSS,NOP,WS=8,NOP,NOP,SACK_PERM") in findings[0].message()
