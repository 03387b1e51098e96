"""``fklab bundle``: the trainees' offline course (wheels, labs, evidence, sealed keys; no answers)."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import course, json_option, lang_of, progress_bar
from forensics_kit.cli.output import json_line, say, warn
from forensics_kit.cli.text import tr

_PYTHONS = "3.11,3.12,3.13"
_SYSTEMS = "linux,windows,macos-arm64,macos-x86_64"


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f}"


@click.command("bundle")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The bundle folder to write; its zip goes beside it (DIR.zip). Must not exist yet.")
@click.option("--variants", default="", help="Trainee ids to prebuild evidence for, e.g. t-01,t-02.")
@click.option("--roster", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A CSV of trainees (an 'id' column, else the first column): their variants are prebuilt.")
@click.option("--labs", "lab_ids", default="", help="Only these labs, e.g. disk-01,net-01 (default: all).")
@click.option("--python", "pythons", default=_PYTHONS, show_default=True,
              help="CPython versions to pack wheels for ('current': this one).")
@click.option("--os", "systems", default=_SYSTEMS, show_default=True,
              help="Operating systems to pack wheels for ('current': this one).")
@click.option("--no-wheels", is_flag=True, help="Leave fklab's wheels out (trainees have fklab installed).")
@click.option("--allow-default-secret", is_flag=True,
              help="Bundle even without solutions/course-secret (practice only: hint records can be forged).")
@json_option
@click.pass_context
def group(ctx: click.Context, out: Path, variants: str, roster: Path | None, lab_ids: str, pythons: str,
          systems: str, no_wheels: bool, allow_default_secret: bool, as_json: bool) -> None:
    """(Instructor) Pack the course for laptops with no network: wheels and installers, labs, evidence
    per trainee, sealed keys and answer templates, instructions in English and Russian; no plain keys."""
    from forensics_kit.course_build import builder_for
    from grader.bundle import NoCourseSecret, make_bundle, read_roster
    from grader.wheelhouse import build_wheelhouse, parse_targets

    lang = lang_of(ctx)
    the_course = course()
    wanted = _words(variants) + (read_roster(roster) if roster else [])
    targets = parse_targets(_words(pythons), _words(systems))
    project = Path(__file__).resolve().parents[2]
    with progress_bar(not as_json) as progress:
        build = builder_for(the_course.datasets, the_course.builds, progress)

        def wheels(folder: Path):
            return build_wheelhouse(project, folder, targets, progress)

        try:
            report = make_bundle(the_course, out, build, wanted, labs=_words(lab_ids) or None,
                                 wheelhouse=None if no_wheels else wheels,
                                 allow_default_secret=allow_default_secret, progress=progress)
        except NoCourseSecret as exc:
            raise click.ClickException(tr("bundle_needs_secret", lang, path=exc.path)) from None
    if as_json:
        json_line(report.to_dict())
        return
    if report.default_secret:
        warn(tr("bundle_default_secret", lang))
    say(tr("bundle_written", lang, folder=report.folder, zip=report.zip, labs=len(report.labs),
           variants=", ".join(report.variants), files=len(report.files), mib=_mib(report.evidence_bytes)))
    for wheel in report.wheels:
        if wheel.complete:
            say(tr("bundle_wheels_ok", lang, target=wheel.target, packages=len(wheel.packages)))
        else:
            warn(tr("bundle_wheels_missing", lang, target=wheel.target, missing=", ".join(wheel.missing)))
    if no_wheels:
        say(tr("bundle_no_wheels", lang))
