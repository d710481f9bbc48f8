"""Command line: ``nas <command>``. Each command lives in ``nas/cli/commands/<name>.py``."""

from nas.cli.main import main

__all__ = ["main"]
