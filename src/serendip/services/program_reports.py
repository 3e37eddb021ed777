"""`/coffee admin stats` and `export`: a program's figures and its delivered intros as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from serendip.adapters.db.types import utcnow
from serendip.services import analytics, export
from serendip.services.analytics import ProgramStats
from serendip.services.deps import Deps
from serendip.services.program_admin import program_here


@dataclass(frozen=True)
class StatsReport:
    """The program's figures and the channel's name (for the chart's title and file name)."""

    stats: ProgramStats
    name: str


@dataclass(frozen=True)
class IntroExport:
    """The CSV of delivered intros, its data rows, and what names the file."""

    csv: str
    rows: int
    name: str
    program_id: int
    made_on: date


def program_stats(deps: Deps, *, team_id: str, channel_id: str) -> StatsReport:
    """Participation, meeting rate, cross-team ties and their growth over rounds."""
    with deps.db.transaction() as session:
        program = program_here(session, team_id, channel_id)
        stats = analytics.program_stats(session, program, utcnow())
        return StatsReport(stats, program.channel_name or program.channel_id)


def export_intros(deps: Deps, *, team_id: str, channel_id: str) -> IntroExport:
    """One row per person per delivered intro; no private notes."""
    with deps.db.transaction() as session:
        program = program_here(session, team_id, channel_id)
        text, rows = export.export_csv(session, program)
        name, program_id = program.channel_name or program.channel_id, program.id
    return IntroExport(text, rows, name, program_id, utcnow().date())
