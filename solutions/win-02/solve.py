"""Reference solver for win-02: an RDP break-in on a Windows server, from the image alone.

As an examiner would: read the computer name and time zone from SYSTEM, find the
live Security log cleared (1102 names who cleared it and when), carve the previous
Security log out of unallocated space by its ``ElfFile`` signature, count the failed
logons per source address there, follow the successful logon to the account it created
and the group it joined, then read the persistence: the 7045 service (System.evtx and
its SYSTEM key) and the Run entry in SOFTWARE.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

from forensics_kit.disk import open_image
from forensics_kit.timefmt import parse_iso
from forensics_kit.windows import logon_summary, open_hive, read_events, run_entries

LOGS = "/Windows/System32/winevt/Logs"
CONFIG = "/Windows/System32/config"
CHUNK = 65536


def _kit_path(windows_path: str) -> str:
    """``C:\\ProgramData\\x.ps1`` as the path inside the partition: ``/ProgramData/x.ps1``."""
    return "/" + re.sub(r"^[A-Za-z]:", "", windows_path).replace("\\", "/").lstrip("/")


def _carve_logs(media: bytes, live: list[bytes]) -> list[bytes]:
    """Every EVTX file whose header ("ElfFile\\0") lies in the media and is not one of the live logs."""
    found = []
    for match in re.finditer(rb"ElfFile\x00", media):
        at = match.start()
        header_size, chunks = struct.unpack_from("<HH", media, at + 0x28)  # header block size, chunk count
        data = media[at:at + header_size + chunks * CHUNK]
        if not any(data == log[:len(data)] for log in live):
            found.append(data)
    return found


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    with open_image(evidence["server"]) as img:
        ntfs = next(p for p in img.partitions() if p.filesystem == "NTFS")
        part = ntfs.index
        with open_hive(img, f"{CONFIG}/SYSTEM", partition=part) as system:
            current = system.value_data("Select", "Current")
            ccs = f"ControlSet{current:03d}"
            answers["computer_name"] = system.value_data(f"{ccs}\\Control\\ComputerName\\ComputerName", "ComputerName")
            zone = f"{ccs}\\Control\\TimeZoneInformation"
            bias = system.value_data(zone, "ActiveTimeBias")
            bias = bias - (1 << 32) if bias >= 1 << 31 else bias
            log(f"disk registry SYSTEM {ccs}\\Control: ComputerName {answers['computer_name']}, time zone "
                f"{system.value_data(zone, 'TimeZoneKeyName')} (ActiveTimeBias {bias} min: local = UTC {-bias:+d} min)")
            services = {k.name: k for k in system.subkeys(f"{ccs}\\Services")}

        live_security = img.read(f"{LOGS}/Security.evtx", partition=part)
        live_system = img.read(f"{LOGS}/System.evtx", partition=part)
        cleared = next(e for e in read_events(live_security, name="Security.evtx") if e.event_id == 1102)
        answers["cleared_time"] = cleared.time
        answers["cleared_by"] = cleared.data.get("SubjectUserName")
        log(f"disk evtx Security.evtx: record {cleared.record_id} is 1102 at {cleared.time}, by "
            f"{cleared.data.get('SubjectDomainName')}\\{cleared.data.get('SubjectUserName')}: the log was cleared; "
            "what came before is not in it")

        media = b"".join(img.iter_media())
        carved = _carve_logs(media, [live_security, live_system])
        events = [e for data in carved for e in read_events(data, name="carved.evtx")]
        log(f"disk search 'ElfFile': {len(carved)} EVTX file(s) in unallocated space besides the live logs; "
            f"carved {len(events)} records, {sum(e.event_id == 4625 for e in events)} of them 4625")

        sources = logon_summary(events)
        brute = sources[0]
        answers["brute_ip"] = brute.source_ip
        answers["brute_count"] = brute.failures
        log("4625 per source: " + "; ".join(f"{s.source_ip}: {s.failures} failed, {s.successes} ok" for s in sources))
        success = next(e for e in events if e.event_id == 4624 and e.data.get("IpAddress") == brute.source_ip)
        answers["compromised_user"] = success.data["TargetUserName"]
        answers["logon_type"] = int(success.data["LogonType"])
        local = parse_iso(success.time) - timedelta(minutes=bias)
        answers["logon_time"] = local.replace(tzinfo=timezone(timedelta(minutes=-bias))).isoformat()
        log(f"first 4624 from {brute.source_ip}: {success.time} UTC = {answers['logon_time']} local, "
            f"account {answers['compromised_user']}, logon type {answers['logon_type']}")

        created = next(e for e in events if e.event_id == 4720)
        added = next(e for e in events if e.event_id == 4732 and e.data.get("MemberSid") == created.data["TargetSid"])
        answers["new_account"] = created.data["TargetUserName"]
        log(f"4720 at {created.time}: {created.data['SubjectUserName']} created {answers['new_account']} "
            f"({created.data['TargetSid']}); 4732 at {added.time}: added to {added.data['TargetUserName']}")

        installed = next(e for e in read_events(live_system, name="System.evtx") if e.event_id == 7045)
        answers["service_name"] = installed.data["ServiceName"]
        answers["service_path"] = _kit_path(installed.data["ImagePath"])
        key = services[answers["service_name"]]
        log(f"disk evtx System.evtx: 7045 at {installed.time}: service {answers['service_name']} "
            f"{installed.data['ImagePath']} ({installed.data.get('StartType')}); SYSTEM {ccs}\\Services\\{key.name} "
            f"last written {key.last_written}, ImagePath {key.get('ImagePath')}")

        with open_hive(img, f"{CONFIG}/SOFTWARE", partition=part) as software:
            run = run_entries(software)
        log(f"disk registry SOFTWARE Run: {run}")
        command = next(iter(run.values()))
        answers["run_script"] = _kit_path(re.search(r"-File\s+(\S+\.ps1)", command, re.I).group(1))
    return answers
