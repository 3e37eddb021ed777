"""The benchmark's org builder writes an org the app reads as real: stats, preview and a planned round."""

from __future__ import annotations

from benchmarks.pipeline_org import CHANNEL_ID, TEAM_ID, build_org
from sqlalchemy import text

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.adapters.db.types import utcnow
from serendip.domain.departments import department_key
from serendip.services import analytics
from serendip.services.lifecycle.plan import plan_round, preview_round

PEOPLE, ROUNDS = 120, 3


def _scalar(database: Database, sql: str) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _program_id(database: Database) -> int:
    return _scalar(database, f"SELECT id FROM programs WHERE channel_id = '{CHANNEL_ID}'")


def test_the_org_has_everyone_enrolled_with_two_tags_and_finished_rounds(database_url: str) -> None:
    build_org(database_url, people=PEOPLE, rounds=ROUNDS)
    database = Database(database_url)
    try:
        assert _scalar(database, f"SELECT count(*) FROM members WHERE workspace_id = '{TEAM_ID}'") == PEOPLE
        assert _scalar(database, "SELECT count(*) FROM enrolments") == PEOPLE
        assert _scalar(database, "SELECT count(DISTINCT member_id) FROM member_tags") == PEOPLE
        assert _scalar(database, "SELECT count(*) FROM member_tags") == 2 * PEOPLE
        assert _scalar(database, "SELECT count(*) FROM rounds WHERE state = 'done'") == ROUNDS
        posted = (
            "SELECT count(*) FROM intros WHERE state = 'posted' AND conversation_id IS NOT NULL"
            " AND message_ts IS NOT NULL AND delivered_at IS NOT NULL"
        )
        assert _scalar(database, posted) == ROUNDS * (PEOPLE // 2)
        assert _scalar(database, "SELECT count(*) FROM intro_members") == ROUNDS * PEOPLE
        assert _scalar(database, "SELECT count(*) FROM intro_outcomes WHERE outcome = 'met'") > 0
        with database.engine.connect() as conn:
            members = conn.execute(text("SELECT department, department_key FROM members")).all()
            keys = dict(conn.execute(text("SELECT key, name FROM departments")).all())
        assert all(department_key(name) == key for name, key in members)
        assert set(keys) == {key for _, key in members}
        assert 2 <= len(keys) <= PEOPLE // 40 + 1
    finally:
        database.dispose()


def test_the_app_reads_the_org_in_its_stats_and_preview(database_url: str) -> None:
    build_org(database_url, people=PEOPLE, rounds=ROUNDS)
    database = Database(database_url)
    try:
        with database.transaction() as session:
            program = session.get(Program, _program_id(database))
            assert program is not None
            stats = analytics.program_stats(session, program, utcnow())
        assert (stats.participants, stats.rounds, stats.intros_delivered) == (
            PEOPLE,
            ROUNDS,
            ROUNDS * (PEOPLE // 2),
        )
        assert stats.intros_asked == stats.intros_delivered and 0 < stats.intros_met < stats.intros_asked
        assert stats.cross_team_ties > 0 and len(stats.series) == ROUNDS
        preview = preview_round(database, program_id=_program_id(database))
        assert preview.eligible > PEOPLE // 2 and not preview.quality.get("violations")
        placed = sorted(s for group in preview.groups for s in group)
        assert len(placed) == len(set(placed)) >= preview.eligible - 1
    finally:
        database.dispose()


def test_a_round_plans_on_top_of_the_org(database_url: str) -> None:
    build_org(database_url, people=PEOPLE, rounds=ROUNDS)
    database = Database(database_url)
    try:
        before = _scalar(database, "SELECT max(id) FROM intros")
        planned = plan_round(database, program_id=_program_id(database), scheduled_for=utcnow())
        assert planned is not None and not planned.held and planned.intros > 0
        new = _scalar(database, f"SELECT count(*) FROM intros WHERE id > {before} AND state = 'pending'")
        assert new == planned.intros
    finally:
        database.dispose()
