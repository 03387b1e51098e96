"""``fklab net detect``: scans, brute force, beacons, DNS tunnels, ARP spoofing, ICMP exfiltration."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.net import group, warn_all
from forensics_kit.cli.output import current_lang, emit_records, in_lang


def _summary(finding) -> str:
    """The finding's summary in the trainee's language (the JSON keeps the English one)."""
    from forensics_kit.net.detect.messages import TEMPLATES, render

    if current_lang() == "en":
        return finding.summary
    return render(finding.parts, lambda key: in_lang(f"detect.{key}", TEMPLATES[key]))


def _settings(values: tuple[str, ...]) -> dict[str, str]:
    options = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or "." not in key:
            raise click.BadParameter(f"{item!r}: write detector.option=value, e.g. beacon.min_count=5",
                                     param_hint="--set")
        options[key.strip()] = value.strip()
    return options


@group.command("detect")
@click.argument("pcap", type=click.Path(path_type=Path), required=False)
@click.option("--only", default=None, help="Comma-separated detectors (default: all), e.g. scan,beacon.")
@click.option("--set", "settings", multiple=True, metavar="DETECTOR.OPTION=VALUE",
              help="Change a threshold, e.g. --set beacon.min_count=5 (repeatable).")
@click.option("--list", "list_only", is_flag=True, help="List the detectors and their options, then stop.")
@json_option
def detect_cmd(pcap: Path | None, only: str | None, settings: tuple[str, ...], list_only: bool, as_json: bool) -> None:
    """Findings of the detectors, each with its numbers and evidence frames."""
    from forensics_kit.net.detect import Detector, detect

    if list_only:
        rows = ({"detector": name, "what": in_lang(f"detect.about.{name}", (cls.__doc__ or "").strip().splitlines()[0]),
                 "options": [f"{k}={v}" for k, v in cls.options.items()]}
                for name, cls in sorted(Detector.registry.items()))
        emit_records(rows, [("detector", "Detector"), ("what", "Looks for"), ("options", "Options")], as_json)
        return
    if pcap is None:
        raise click.UsageError("give a capture file (or --list)")
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    warnings: list[str] = []
    with progress_bar(not as_json) as progress:
        findings = detect(pcap, names, _settings(settings), progress, warnings)
    warn_all(warnings)
    emit_records(
        (f.to_dict() if as_json else {**f.to_dict(), "summary": _summary(f)} for f in findings),
        [("kind", "Kind"), ("summary", "Finding"), ("first", "First"), ("frames", "Frames"),
         ("frame_count", "Count")],
        as_json,
    )
