"""Server banners fit the host's OS release: nginx and vsftpd as that release's packages answer."""

from __future__ import annotations

import pytest
from test_audit import _build, _recipe

from forensics_kit.builder.audit import audit_build
from forensics_kit.builder.world import ftp_greeting, web_server_software


@pytest.mark.parametrize(("os", "server"), [
    ("ubuntu-22.04", "nginx/1.18.0 (Ubuntu)"),
    ("ubuntu-24.04", "nginx/1.24.0 (Ubuntu)"),
    ("debian-12", "nginx/1.22.1"),
    ("windows-2022", "Microsoft-IIS/10.0"),
])
def test_a_web_server_answers_with_its_releases_nginx_or_iis(os, server):
    assert web_server_software(os) == server


def test_vsftpd_greets_with_the_version_its_release_ships():
    assert ftp_greeting("ubuntu-22.04") == b"220 (vsFTPd 3.0.5)\r\n"
    assert ftp_greeting("debian-12") == b"220 (vsFTPd 3.0.3)\r\n"


def test_a_web_server_sends_its_releases_banner_and_another_version_is_found(tmp_path):
    recipe, result = _build(tmp_path, _recipe())
    pcap = result.artefacts["net"]
    data = pcap.read_bytes()
    assert b"Server: nginx/1.18.0 (Ubuntu)\r\n" in data  # the recipe's web host runs ubuntu-22.04
    assert audit_build(recipe, result.directory, only=["banner-os"]) == []
    # same length, so the frame stays whole; the TCP checksum is not what the rule reads
    pcap.write_bytes(data.replace(b"nginx/1.18.0 (Ubuntu)", b"nginx/1.24.0 (Ubuntu)"))
    findings = audit_build(recipe, result.directory, only=["banner-os"])
    assert len(findings) == 1
    assert ("runs ubuntu-22.04, whose packages answer 'nginx/1.18.0 (Ubuntu)', "
            "but its banner says 'nginx/1.24.0 (Ubuntu)'") in findings[0].message()
