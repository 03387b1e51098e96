"""``fklab``: the command trainees, instructors and trainers type.

Each sub-command only parses options, calls the library and formats the result.
Library errors become one line on stderr and a non-zero exit; anything
unexpected is reported the same way (set ``FKLAB_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import os
import sys

import click

from forensics_kit.errors import ForensicsKitError

EXIT_ERROR = 1
EXIT_INTERNAL = 70


class _Fklab(click.Group):
    """Click group that turns every error into a one-line message."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        from grader.errors import GraderError

        try:
            return super().invoke(ctx)
        except (ForensicsKitError, GraderError) as exc:
            raise click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(0)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except MemoryError:
            raise click.ClickException("out of memory") from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
            if os.environ.get("FKLAB_DEBUG"):
                raise
            first = (str(exc).splitlines() or [""])[0]
            click.echo(
                f"fklab: internal error: {type(exc).__name__}: {first} (set FKLAB_DEBUG=1 for details)", err=True
            )
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Fklab, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    envvar="FKLAB_LANG",
    default="en",
    show_default=True,
    help="Language of messages, lab texts and feedback (or set FKLAB_LANG).",
)
@click.version_option(package_name="fklab")
@click.pass_context
def cli(ctx: click.Context, lang: str) -> None:
    """fklab: hands-on computer forensics and network investigation labs."""
    ctx.obj = {"lang": lang}


def _register() -> None:
    """Add the command groups, then every extension module (``disk_*.py``, ``net_*.py``, ...).

    An extension module attaches its commands to a group on import
    (``from forensics_kit.cli.disk import group`` then ``@group.command(...)``), so a
    new area of the kit adds one CLI file and touches no other.
    """
    import importlib
    import pkgutil

    import forensics_kit.cli as package
    from forensics_kit.cli import bundle, datasets, disk, grade, lab, net, solutions

    groups = (lab, disk, net, datasets, grade, solutions, bundle)
    for module in groups:
        cli.add_command(module.group)
    prefixes = tuple(f"{m.__name__.rsplit('.', 1)[-1]}_" for m in groups)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith(prefixes):
            importlib.import_module(f"{package.__name__}.{info.name}")


_register()


def main() -> None:
    cli(prog_name="fklab")


if __name__ == "__main__":
    main()
