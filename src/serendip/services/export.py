"""`/coffee admin export`: a program's delivered intros as CSV, one row per person per intro."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Program
from serendip.domain.spreadsheet import safe_cell

HEADER = ("round_date", "member_id", "name", "department", "intro_id", "outcome")


def export_csv(session: Session, program: Program) -> tuple[str, int]:
    """The CSV text (round date in the program's zone) and its number of data rows; no private notes."""
    zone = ZoneInfo(program.timezone)
    outcomes = repo.program_outcomes(session, program.id)
    buffer = io.StringIO()
    # Every field quoted: a CR or LF inside a Slack name stays inside its cell, never starts a row.
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    seats = repo.program_seats(session, program.id)
    for seat in seats:
        writer.writerow(
            (
                seat.round_at.astimezone(zone).date().isoformat(),
                safe_cell(seat.slack_id),
                safe_cell(seat.name),
                safe_cell(seat.department or ""),
                seat.intro_id,
                outcomes.get((seat.intro_id, seat.member_id), ""),
            )
        )
    return buffer.getvalue(), len(seats)
