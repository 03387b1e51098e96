"""``fklab``: the command trainees, instructors and trainers type.

Each sub-command only parses options, calls the library and formats the result.
Library errors become one line on stderr and a non-zero exit; anything
unexpected is reported the same way (set ``FKLAB_DEBUG=1`` for the traceback).

Start-up is part of what a trainee feels on every command, so nothing is imported
before it is needed: the command groups are named here and their modules are
imported only when one is invoked (click's lazy sub-command pattern), and each
module imports its heavy libraries (pytsk3, dfvfs, yara, rich, the builder) inside
the commands that use them. ``tests/cli/test_startup.py`` holds that line.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from forensics_kit import __version__

EXIT_ERROR = 1
EXIT_INTERNAL = 70

# Sub-command name -> module of ``forensics_kit.cli`` whose ``group`` it is. An
# extension module ``<module>_*.py`` (``disk_search.py``, ``net_streams.py``, ...)
# attaches its commands to that group on import, so a new area of the kit adds one
# CLI file and touches no other; the extensions are imported with their group.
COMMANDS = {
    "bundle": "bundle",
    "datasets": "datasets",
    "disk": "disk",
    "grade": "grade",
    "lab": "lab",
    "net": "net",
    "solutions": "solutions",
}


def _extensions(module: str) -> list[str]:
    """The extension modules of one command group, in name order (a directory listing, no imports)."""
    folder = os.path.dirname(__file__)
    prefix = f"{module}_"
    return sorted(
        name[:-3] for name in os.listdir(folder) if name.startswith(prefix) and name.endswith(".py")
    )


def load_command(name: str) -> click.Command:
    """Import the module of sub-command ``name`` and its extensions; return its command."""
    module = importlib.import_module(f"{__package__}.{COMMANDS[name]}")
    for extension in _extensions(COMMANDS[name]):
        importlib.import_module(f"{__package__}.{extension}")
    return module.group


class _Fklab(click.Group):
    """Click group that loads its sub-commands on demand and turns every error into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(load_command(cmd_name), cmd_name)
        return self.commands.get(cmd_name)

    def main(self, args=None, *rest, **kwargs):  # type: ignore[no-untyped-def, override]
        """Under ``--lang ru``/``FKLAB_LANG=ru``: help, click's words and errors in Russian (cli.help_text)."""
        argv = sys.argv[1:] if args is None else list(args)
        if "ru" not in argv and not any(a.startswith("--lang=") for a in argv) and os.environ.get("FKLAB_LANG") != "ru":
            return super().main(args, *rest, **kwargs)
        from forensics_kit.cli.help_text import in_language

        with in_language(argv):
            return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(0)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except MemoryError:
            raise click.ClickException("out of memory") from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
            if _is_library_error(exc):
                raise click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
            if os.environ.get("FKLAB_DEBUG"):
                raise
            first = (str(exc).splitlines() or [""])[0]
            text = f"fklab: internal error: {type(exc).__name__}: {first} (set FKLAB_DEBUG=1 for details)"
            errors = sys.modules.get("forensics_kit.cli.error_text")  # loaded only under --lang ru
            click.echo(errors.shown(text) if errors else text, err=True)
            ctx.exit(EXIT_INTERNAL)


def _is_library_error(exc: Exception) -> bool:
    """A ForensicsKitError or GraderError: an expected failure, shown as one line.

    The grader's errors are looked up only if the grader was imported: a command that
    never loaded it cannot raise one, and importing ``grader`` costs ~80 ms of start-up.
    """
    from forensics_kit.errors import ForensicsKitError

    if isinstance(exc, ForensicsKitError):
        return True
    grader_errors = sys.modules.get("grader.errors")
    return grader_errors is not None and isinstance(exc, grader_errors.GraderError)


@click.group(cls=_Fklab, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    envvar="FKLAB_LANG",
    default="en",
    show_default=True,
    help="Language of messages, lab texts and feedback (or set FKLAB_LANG).",
)
@click.option("--wide", is_flag=True, envvar="FKLAB_WIDE",
              help="Lay tables out at full width: no folded rows or wrapped text (for wide terminals, files).")
# The version is given, not looked up: ``package_name=`` would import importlib.metadata
# (and email, zipfile, csv) on every start.
@click.version_option(__version__, prog_name="fklab")
@click.pass_context
def cli(ctx: click.Context, lang: str, wide: bool) -> None:
    """fklab: hands-on computer forensics and network investigation labs."""
    ctx.obj = {"lang": lang, "wide": wide}


def main() -> None:
    cli(prog_name="fklab")


if __name__ == "__main__":
    main()
