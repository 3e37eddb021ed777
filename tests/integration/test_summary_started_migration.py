"""The summary migration turns the "sending" marker in summary_ts into summary_started_at, and back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import alembic_config, current_revision, upgrade
from tests.support.old_schema import database_at, filler_row

BEFORE = "bff0eb30f9a2"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
FINISHED = datetime(2026, 11, 2, 9, 30, 15, 250000, tzinfo=UTC)
# round id -> (summary_ts, finished_at) as stored before the migration
ROUNDS: dict[int, tuple[str | None, datetime | None]] = {
    1: (None, None),  # not closed yet
    2: ("sending", FINISHED),  # closed under the marker
    3: ("sending", None),  # marker without a finish time (never written so, but readable)
}


@pytest.fixture
def old_database(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty database on the engine under test, migrated only to the revision before this one."""
    with database_at(BEFORE, engine_name, tmp_path, request) as database:
        yield database


def _insert_old_rows(database: Database) -> None:
    metadata = MetaData()
    tables = {
        n: Table(n, metadata, autoload_with=database.engine) for n in ("workspaces", "programs", "rounds")
    }
    with database.engine.begin() as conn:
        conn.execute(tables["workspaces"].insert().values(filler_row(tables["workspaces"], NOW, id="T1")))
        conn.execute(
            tables["programs"].insert().values(filler_row(tables["programs"], NOW, id=1, workspace_id="T1"))
        )
        for round_id, (marker, finished_at) in ROUNDS.items():
            row = filler_row(
                tables["rounds"],
                NOW,
                id=round_id,
                program_id=1,
                scheduled_for=NOW.replace(day=round_id),
                state="done",
                summary_ts=marker,
                finished_at=finished_at,
            )
            conn.execute(tables["rounds"].insert().values(row))
        intros = Table("intros", metadata, autoload_with=database.engine)
        conn.execute(intros.insert().values(filler_row(intros, NOW, id=7, round_id=2, state="posted")))


def _summaries(database: Database) -> dict[int, tuple[Any, ...]]:
    rounds = Table("rounds", MetaData(), autoload_with=database.engine)
    columns = [rounds.c.id, rounds.c.summary_ts]
    if "summary_started_at" in rounds.c:
        columns.append(rounds.c.summary_started_at)
    with database.engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(select(*columns))}


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC) if value.tzinfo is None else value


def test_markers_become_start_times_at_the_moment_the_round_finished(old_database: Database) -> None:
    _insert_old_rows(old_database)
    assert current_revision(old_database) == BEFORE

    upgrade(old_database)

    stored = {i: (ts, _utc(at)) for i, (ts, at) in _summaries(old_database).items()}
    assert stored == {
        1: (None, None),
        2: (None, FINISHED),
        3: (None, datetime.fromtimestamp(0, UTC)),
    }


def test_downgrading_writes_the_markers_back(old_database: Database) -> None:
    _insert_old_rows(old_database)
    upgrade(old_database)
    with old_database.engine.connect() as connection:
        config = alembic_config(old_database.url)
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
        connection.commit()

    assert _summaries(old_database) == {1: (None,), 2: ("sending",), 3: ("sending",)}
    # Dropping the column must not recreate `rounds` (on SQLite that cascades to every intro).
    intros = Table("intros", MetaData(), autoload_with=old_database.engine)
    with old_database.engine.connect() as conn:
        assert list(conn.execute(select(intros.c.id))) == [(7,)]
