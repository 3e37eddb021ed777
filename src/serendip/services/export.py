"""`/coffee admin export`: a program's delivered intros as CSV, one row per person per intro."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Program

HEADER = ("round_date", "member_id", "name", "department", "intro_id", "outcome")
# A cell starting with one of these is a formula to spreadsheet software; quote it as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A text cell that spreadsheets will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_csv(session: Session, program: Program) -> tuple[str, int]:
    """The CSV text (round date in the program's zone) and its number of data rows; no private notes."""
    zone = ZoneInfo(program.timezone)
    outcomes = repo.program_outcomes(session, program.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    seats = repo.program_seats(session, program.id)
    for seat in seats:
        writer.writerow(
            (
                seat.round_at.astimezone(zone).date().isoformat(),
                seat.slack_id,
                safe_cell(seat.name),
                safe_cell(seat.department or ""),
                seat.intro_id,
                outcomes.get((seat.intro_id, seat.member_id), ""),
            )
        )
    return buffer.getvalue(), len(seats)
