"""`serendip report --program C0123 [--png FILE] [--json]`: a program's stats in the terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from serendip.services.analytics import ProgramStats

TABLE_WIDTH = 100


def _fail(message: str) -> typer.Exit:
    print(f"serendip: {message}", file=sys.stderr)
    return typer.Exit(1)


def report_command(
    program: Annotated[str, typer.Option("--program", help="The program's Slack channel id, e.g. C0123.")],
    png: Annotated[Path | None, typer.Option("--png", help="Also write the chart to this PNG file.")] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    team: Annotated[
        str | None,
        typer.Option("--team", help="Slack team id, when several workspaces have this channel id."),
    ] = None,
) -> None:
    """Print a program's participation, meeting rate, cross-team rate and network growth."""
    from serendip.config import SettingError, load_settings
    from serendip.logging_setup import configure_logging

    try:
        settings = load_settings()
    except SettingError as exc:
        raise _fail(str(exc)) from None
    configure_logging(settings.log_level.value)
    stats, name = _load(settings.database_url, program.strip(), team)
    if png is not None:
        from serendip.adapters.slack.views.charts import render_png

        try:
            png.write_bytes(render_png(stats, title=f"Serendip network in #{name}"))
        except OSError as exc:
            raise _fail(f"can't write {png}: {exc.strerror or exc}") from None
    if json_output:
        data = {"program": {"channel_id": stats.channel_id, "name": name}, **stats.to_dict()}
        data["png"] = str(png) if png else None
        sys.stdout.write(json.dumps(data) + "\n")
        return
    from rich.console import Console

    out = Console()
    out.width = max(out.width, TABLE_WIDTH)
    out.print(_summary(stats, name))
    out.print(_rounds(stats))
    if stats.circles is not None:
        out.print(_circles(stats))
    if png is not None:
        print(f"chart written to {png}")


def _load(database_url: str, channel_id: str, team: str | None) -> tuple[ProgramStats, str]:
    """The program's figures, or a clear error and exit."""
    from sqlalchemy.exc import SQLAlchemyError

    from serendip.adapters.db import repositories as repo
    from serendip.adapters.db.engine import Database
    from serendip.adapters.db.types import utcnow
    from serendip.services.analytics import program_stats

    database = Database(database_url)
    try:
        with database.transaction() as session:
            found = [
                p
                for p in repo.find_programs_by_channel(session, channel_id)
                if team is None or p.workspace_id == team
            ]
            if not found:
                raise _fail(
                    f"no program runs in channel {channel_id}"
                    + (f" of team {team}" if team else "")
                    + " (run `/coffee admin setup` there)"
                )
            if len(found) > 1:
                teams = ", ".join(p.workspace_id for p in found)
                raise _fail(f"channel {channel_id} is a program in several workspaces ({teams}); pass --team")
            return program_stats(session, found[0], utcnow()), found[0].channel_name or channel_id
    except SQLAlchemyError as exc:
        raise _fail(
            f"can't read the database ({type(exc).__name__}); is DATABASE_URL right and "
            "`serendip db upgrade` done?"
        ) from None
    finally:
        database.dispose()


def _summary(stats: ProgramStats, name: str) -> Table:
    from rich import box
    from rich.table import Table

    from serendip.services.analytics import summary_rows

    table = Table(
        title=f"Serendip program #{name} ({stats.channel_id}), {stats.timezone}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_header=False,
    )
    table.add_column("figure", no_wrap=True)
    table.add_column("value")
    for label, value in summary_rows(stats):
        table.add_row(label, value)
    return table


def _rounds(stats: ProgramStats) -> Table:
    from rich import box
    from rich.table import Table

    from serendip.services.analytics import percent

    table = Table(
        title="Rounds with delivered intros (cross = cross-team rate, bound = best possible)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in (
        "round",
        "date",
        "participants",
        "intros",
        "new cross-team ties",
        "total",
        "cross",
        "bound",
    ):
        table.add_column(column, justify="right", no_wrap=True)
    for number, point in enumerate(stats.series, start=1):
        table.add_row(
            str(number),
            f"{point.at:%Y-%m-%d}",
            str(point.participants),
            str(point.intros),
            str(point.new_cross_team_ties),
            str(point.cross_team_ties),
            percent(point.cross_team_rate),
            percent(point.cross_team_bound),
        )
    return table


CIRCLES_SHOWN = 50


def _circles(stats: ProgramStats) -> Table:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    assert stats.circles is not None
    shown = stats.circles.circles[-CIRCLES_SHOWN:]
    more = len(stats.circles.circles) - len(shown)
    table = Table(
        title="Circles (newest last" + (f"; {more} older ones in --json" if more else "") + ")",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in ("circle", "season", "topic", "members", "departments", "held", "scheduled", "now"):
        table.add_column(column, justify="left" if column in ("topic", "now") else "right", no_wrap=True)
    for point in shown:
        table.add_row(
            str(point.circle_id),
            str(point.season_id),
            escape(point.topic),
            str(point.members),
            str(point.departments),
            str(point.meetings_held),
            str(point.meetings_scheduled),
            point.state,
        )
    return table
