"""The `serendip` command line."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Serendip: cross-team introductions on Slack.")


def main() -> None:
    """Run the CLI."""
    app()
