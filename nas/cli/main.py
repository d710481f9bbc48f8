"""The ``nas`` entry point: a click group that loads every module in ``commands/``.

click, not Typer: the same ``--help`` on every command with one dependency less, and its
exceptions are easy to turn into the one-line errors (exit code 2) the guide asks for,
where Typer's rich error boxes span many lines.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from nas.cli import commands
from nas.errors import NasError

EXIT_USAGE = 2


def fail(message: str) -> None:
    """Print ``error: message`` as one line on stderr and exit with code 2."""
    click.echo(f"error: {' '.join(str(message).split())}", err=True)
    sys.exit(EXIT_USAGE)


class NasGroup(click.Group):
    """Runs a command and maps bad input to one line on stderr and exit code 2."""

    def main(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except click.UsageError as e:
            where = f"{e.ctx.command_path}: " if e.ctx else ""
            fail(where + e.format_message())
        except NasError as e:
            fail(str(e))
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=NasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nas")
def cli() -> None:
    """Neural architecture search for small CNNs under a parameter budget."""


def _load_commands() -> None:
    for mod in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{mod.name}")
        for cmd in getattr(module, "COMMANDS", ()):
            cli.add_command(cmd)


_load_commands()


def main() -> None:
    cli()
