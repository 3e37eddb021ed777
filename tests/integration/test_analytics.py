"""Stats and export figures against a hand-built history, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest

from serendip.adapters.db.engine import Database
from serendip.services import analytics, export
from tests.support.history import NOW, build_history


@pytest.fixture
def stats(database: Database) -> analytics.ProgramStats:
    with database.transaction() as session:
        return analytics.program_stats(session, build_history(session), NOW)


def test_stats_count_rounds_intros_and_participants(stats: analytics.ProgramStats) -> None:
    assert stats.participants == 7
    assert stats.rounds == 3
    assert stats.intros_delivered == 8
    assert [(p.participants, p.intros) for p in stats.series] == [(6, 3), (6, 3), (5, 2)]


def test_meeting_rate_is_met_intros_over_asked_intros(stats: analytics.ProgramStats) -> None:
    assert (stats.intros_met, stats.intros_asked) == (3, 6)
    assert stats.meeting_rate == 0.5


def test_ties_cross_team_ties_and_their_growth(stats: analytics.ProgramStats) -> None:
    assert (stats.ties, stats.cross_team_ties) == (7, 5)
    assert [(p.new_cross_team_ties, p.cross_team_ties) for p in stats.series] == [(2, 2), (1, 3), (2, 5)]
    assert stats.quarter == "2026 Q2" and stats.new_cross_team_ties_this_quarter == 3


def test_department_coverage_and_members_without_a_cross_team_tie(stats: analytics.ProgramStats) -> None:
    assert (stats.department_pairs_tied, stats.department_pairs_total) == (3, 6)
    assert stats.members_without_cross_team_tie == 2
    assert stats.departments == ["Eng", "HR", "Ops", "Sales"]
    assert stats.tie_matrix == [[1, 0, 1, 2], [0, 0, 0, 0], [1, 0, 0, 2], [2, 0, 2, 0]]


def test_cross_team_rate_is_shown_against_its_bound(stats: analytics.ProgramStats) -> None:
    last = stats.last_round
    assert last is not None and (last.cross_team_rate, last.cross_team_bound) == (1.0, 1.0)
    average = stats.average_cross_team_rate
    assert average is not None and average == pytest.approx(((0.667 + 0.5 + 1) / 3, 2.8 / 3))
    rows = dict(analytics.summary_rows(stats))
    assert rows["Cross-team rate"].startswith("100% last round (best possible 100%)")
    assert rows["Meeting rate"].startswith("50%")
    assert rows["Department pairs with a tie"] == "3 of 6"


def test_export_has_one_row_per_person_per_delivered_intro(database: Database) -> None:
    with database.transaction() as session:
        text, count = export.export_csv(session, build_history(session))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == len(rows) == 17
    assert list(rows[0]) == ["round_date", "member_id", "name", "department", "intro_id", "outcome"]
    first = next(r for r in rows if r["round_date"] == "2026-03-02" and r["member_id"] == "A1")
    assert first["outcome"] == "met" and first["department"] == "Eng" and first["name"] == "Person A1"
    assert {r["member_id"] for r in rows if r["round_date"] == "2026-06-01"} == set()


def test_the_quarter_starts_at_local_midnight_of_the_program_zone() -> None:
    from datetime import UTC, datetime

    start, label = analytics.quarter_start(datetime(2026, 3, 31, 23, 0, tzinfo=UTC), "Europe/Berlin")
    assert label == "2026 Q2" and start == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def test_export_keeps_a_hostile_name_in_one_quoted_cell_that_is_not_a_formula(database: Database) -> None:
    from sqlalchemy import update

    from serendip.adapters.db.models import Member

    with database.transaction() as session:
        program = build_history(session)
        session.execute(update(Member).where(Member.slack_id == "A1").values(real_name="\r=1+1"))
        session.flush()
        text, count = export.export_csv(session, program)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == count + 1, "a CR in a name started a new row"
    names = {row[2] for row in rows[1:] if row[1] == "A1"}
    assert names == {"'\r=1+1"}
    assert all(line.startswith('"') for line in text.split("\n") if line)
