"""Truth read back from the built artefacts agrees with The Sleuth Kit's own tools."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest

from forensics_kit.disk import open_image
from forensics_kit.timefmt import iso_utc, parse_iso

needs_tsk = pytest.mark.skipif(
    not (shutil.which("fls") and shutil.which("icat")),
    reason="The Sleuth Kit (fls, icat) is not installed: apt-get install sleuthkit",
)


@needs_tsk
def test_every_disk_item_is_listed_by_fls_with_its_inode_and_deleted_flag(built):
    result = built["disk-01"]
    listing = subprocess.run(
        ["fls", "-r", "-p", str(result.artefacts["usb"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    by_path = {}
    for line in listing.splitlines():
        kind, rest = line.split(":", 1)[0], line.split(":", 1)[1].strip()
        by_path["/" + rest] = (int(kind.split()[-1]), "*" in kind)
    for item in result.truth["items"].values():
        assert by_path[item["path"]] == (item["inode"], item["deleted"]), item["path"]


@needs_tsk
def test_icat_recovers_the_deleted_transfer_plan_with_the_iban(built):
    result = built["disk-01"]
    transfer = result.truth["items"]["transfer"]
    data = subprocess.run(
        ["icat", str(result.artefacts["usb"]), str(transfer["inode"])],
        capture_output=True,
        check=True,
    ).stdout
    assert transfer["deleted"] is True
    assert f"IBAN: {result.truth['parameters']['iban']}".encode() in data
    assert hashlib.sha256(data).hexdigest() == transfer["sha256"]


def test_transfer_plan_is_the_only_file_mentioning_an_iban(built):
    result = built["disk-01"]
    with open_image(result.artefacts["usb"]) as image:
        hits = [
            r.path
            for r in image.walk()
            if r.type == "file"
            and not r.path.startswith("/$")
            and b"IBAN" in image.read(inode=r.inode)
        ]
    assert hits == [result.truth["items"]["transfer"]["path"]]


def test_label_counts_and_times_are_as_planned(built):
    truth = built["disk-01"].truth
    params, usb = truth["parameters"], truth["artefacts"]["usb"]
    assert usb["filesystem"] == {"type": "FAT16", "label": params["label"], "cluster_size": 2048}
    assert usb["deleted_count"] == 3 and usb["file_count"] == 7
    assert usb["deleted_paths"] == sorted(
        truth["items"][i]["path"] for i in ("transfer", "letter", "photo2")
    )
    transfer = truth["items"]["transfer"]
    planned = int(parse_iso(params["t_transfer"]).timestamp())
    assert transfer["mtime"] == iso_utc(planned - planned % 2)  # FAT: 2-second resolution
    created = parse_iso(transfer["crtime"]).timestamp()
    assert planned <= created < planned + 1 and created != planned  # created keeps 10 ms, a clock's fraction
    # the stick was written on Moscow time (UTC+3): access is a local date, its midnight is 21:00 UTC the day before
    seen = parse_iso(params["t_transfer_seen"]).astimezone(ZoneInfo("Europe/Moscow"))
    midnight = seen.replace(hour=0, minute=0, second=0, microsecond=0)
    assert transfer["atime"] == iso_utc(int(midnight.timestamp()))


def test_capture_truth_lists_every_resolved_name_and_the_download(built):
    truth = built["net-01"].truth
    params, capture = truth["parameters"], truth["artefacts"]["capture"]
    background = {q for s in truth["sessions"].values() if s["type"] == "noise" for q in s["qnames"]}
    assert capture["dns_qnames"] == sorted(
        {params[k] for k in ("news", "search", "webmail", "files")} | {"www.msftconnecttest.com"} | background
    )  # the workstation's own lookups (NCSI, the background's) count too
    assert background
    download = truth["sessions"]["download"]
    assert download["host"] == params["files"] and download["content_type"] == "application/zip"
    assert download["uri"] == f"/files/{params['word']}_{params['n']}.zip"
    assert {s["user_agent"] for s in truth["sessions"].values() if s["type"] == "http"} == {
        params["ua"], "Microsoft NCSI"
    }  # the browser's pages and Windows' own network check
    assert truth["sessions"]["lookup_files"]["query_frame"] < download["request_frame"]
    assert capture["packets"] > 20 and truth["hosts"]["workstation"]["ip"] == params["ws_ip"]
