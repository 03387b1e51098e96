"""``fklab datasets``: list recipes, build evidence (per trainee too), verify builds (audit: datasets_audit.py)."""

from __future__ import annotations

import click

from forensics_kit.cli.common import course, json_option, lang_of, progress_bar
from forensics_kit.cli.output import emit_records, say
from forensics_kit.cli.text import pick, tr


@click.group("datasets")
def group() -> None:
    """Case datasets: recipes in datasets/, evidence built into datasets/build/."""


@group.command("list")
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """Every recipe with its evidence items."""
    from forensics_kit.builder import list_recipes

    lang = lang_of(ctx)
    rows = (
        {"case": r.case, "title": pick(r.title, lang), "evidence": list(r.evidence_ids)}
        for r in list_recipes(course().datasets)
    )
    emit_records(rows, [("case", "Case"), ("title", tr("title", lang)), ("evidence", tr("evidence", lang))], as_json)


@group.command("build")
@click.argument("cases", nargs=-1)
@click.option("--variant", help="Build this trainee's own variant (seed derived from case and trainee id).")
@click.option(
    "--update-manifest",
    is_flag=True,
    help="(Trainer) record the default builds' SHA-256 in datasets/manifest.json after changing a recipe.",
)
@json_option
@click.pass_context
def build_cmd(
    ctx: click.Context, cases: tuple[str, ...], variant: str | None, update_manifest: bool, as_json: bool
) -> None:
    """Build the evidence and truth.json of CASES (default: every recipe)."""
    from forensics_kit.builder import build_case, list_recipes, write_manifest
    from forensics_kit.course_build import recipe_path

    lang = lang_of(ctx)
    the_course = course()
    paths = [recipe_path(the_course.datasets, c) for c in cases] or [r.path for r in list_recipes(the_course.datasets)]
    rows, results = [], []
    with progress_bar(not as_json) as progress:
        for path in paths:
            result = build_case(path, the_course.builds, variant=variant, progress=progress)
            results.append(result)
            rows.append(
                {
                    "case": result.case,
                    "variant": result.variant or "default",
                    "directory": str(result.directory),
                    "artefacts": {k: str(v) for k, v in result.artefacts.items()},
                }
            )
            if not as_json:
                say(tr("built", lang, case=result.case, variant=result.variant or "default", dir=result.directory))
    if update_manifest:
        write_manifest(results, the_course.datasets / "manifest.json")
    if as_json:
        emit_records(rows, [], True)


@group.command("verify")
@json_option
@click.pass_context
def verify_cmd(ctx: click.Context, as_json: bool) -> None:
    """Compare every default build with the SHA-256 recorded in datasets/manifest.json."""
    from forensics_kit.builder import verify_builds

    lang = lang_of(ctx)
    the_course = course()
    results = verify_builds(the_course.datasets / "manifest.json", the_course.builds)
    rows = []
    for r in results:
        row = r.to_dict() if hasattr(r, "to_dict") else dict(vars(r))
        if not as_json:
            row["status"] = tr("verify_ok" if r.ok else ("verify_missing" if r.actual is None else "verify_bad"), lang)
        rows.append(row)
    emit_records(
        rows,
        [
            ("case", "Case"),
            ("artefact", "Artefact"),
            ("status", "Status"),
            ("expected", "SHA-256 expected"),
            ("actual", "SHA-256 built"),
        ],
        as_json,
    )
    if not all(r.ok for r in results):
        raise click.ClickException("some builds differ from datasets/manifest.json (or are not built)")
