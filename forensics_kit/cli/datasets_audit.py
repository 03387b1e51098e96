"""``fklab datasets audit``: the realism audit of built evidence, one line per finding, exit 1 on any."""

from __future__ import annotations

import click

from forensics_kit.cli.common import course, json_option, lang_of, progress_bar
from forensics_kit.cli.datasets import group
from forensics_kit.cli.text import pick

_TEXT = {
    "clean": {"en": "audit: no findings in {cases} case(s) x {builds} build(s) ({rules} rules)",
              "ru": "проверка: замечаний нет, дел: {cases}, сборок каждого: {builds} (правил: {rules})"},
    "found": {"en": "audit: {n} finding(s) in {cases} case(s) x {builds} build(s)",
              "ru": "проверка: замечаний {n}, дел: {cases}, сборок каждого: {builds}"},
    "accepted": {"en": "audit: {n} more accepted by their recipes (audit.accept; --show-accepted lists them)",
                 "ru": "проверка: ещё {n} принято в рецептах (audit.accept; список: --show-accepted)"},
}


@group.command("audit")
@click.argument("cases", nargs=-1)
@click.option("--variants", type=click.IntRange(0, 50), default=2, show_default=True,
              help="Trainee variants to build and audit besides the default build.")
@click.option("--rule", "only", multiple=True, help="Run only this rule (repeatable); see --rules.")
@click.option("--rules", "list_rules", is_flag=True, help="List the rules and what each checks.")
@click.option("--show-accepted", is_flag=True, help="Also list the findings recipes accept (audit.accept).")
@json_option
@click.pass_context
def audit_cmd(ctx: click.Context, cases: tuple[str, ...], variants: int, only: tuple[str, ...],
              list_rules: bool, show_accepted: bool, as_json: bool) -> None:
    """Check the evidence built from CASES (default: every recipe) against rules of the real world."""
    from forensics_kit.builder import list_recipes
    from forensics_kit.builder.audit import audit_cases, rules
    from forensics_kit.builder.registry import UnknownKindError
    from forensics_kit.cli.output import json_line
    from forensics_kit.course_build import recipe_path

    lang = lang_of(ctx)
    try:
        chosen = rules(only or None)
    except UnknownKindError as exc:
        raise click.UsageError(str(exc)) from None
    if list_rules:
        for rule in chosen:
            if as_json:
                json_line({"rule": rule.name, "checks": rule.title["en"]})
            else:
                click.echo(f"{rule.name}: {pick(rule.title, lang)}")
        return
    the_course = course()
    paths = ([recipe_path(the_course.datasets, c) for c in cases]
             or [r.path for r in list_recipes(the_course.datasets)])
    with progress_bar(not as_json) as progress:
        findings = audit_cases(paths, variants, course_root=the_course.root, only=only or None, progress=progress)
    failing = [f for f in findings if not f.accepted]
    for finding in findings if show_accepted else failing:
        if as_json:
            json_line(finding.to_dict())
        else:
            click.echo(finding.line(lang))
    if not as_json:
        key = "found" if failing else "clean"
        click.echo(pick(_TEXT[key], lang).format(n=len(failing), cases=len(paths), builds=variants + 1,
                                                 rules=len(chosen)), err=bool(failing))
        if len(findings) > len(failing):
            click.echo(pick(_TEXT["accepted"], lang).format(n=len(findings) - len(failing)), err=True)
    if failing:
        ctx.exit(1)
