"""Fixtures: the Windows case (:mod:`windows_case`) built once per session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from windows_case import T0, WindowsCase, build_case

from forensics_kit.builder.windows import EventLog, security_event


@pytest.fixture(scope="session")
def wincase(tmp_path_factory: pytest.TempPathFactory) -> WindowsCase:
    return build_case(tmp_path_factory.mktemp("windows"))


@pytest.fixture(scope="session")
def big_log() -> bytes:
    """600 logon failures: more than one 64 KiB chunk."""
    log = EventLog(first_record_id=1000)
    for i in range(600):
        log.add(security_event(4625, T0 + timedelta(seconds=i), "WS01", {
            "TargetUserName": f"user{i % 7}", "LogonType": 3, "IpAddress": f"198.51.100.{i % 250}",
            "IpPort": str(50000 + i)}))
    return log.to_bytes()
