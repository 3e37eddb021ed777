"""The follow-up migration turns "sending:<epoch>" markers into followup_started_at, and back."""

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

BEFORE = "5b0d7e1c9a42"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
STARTED = datetime(2026, 11, 2, 9, 30, 15, 250000, tzinfo=UTC)
# intro id -> followup_ts as stored before the migration
MARKERS = {1: None, 2: "1764321000.000100", 3: f"sending:{STARTED.timestamp():.3f}", 4: "sending:garbage"}


@pytest.fixture
def old_database(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty database on the engine under test, migrated only to the revision before this one."""
    with database_at(BEFORE, engine_name, tmp_path, request) as database:
        yield database


def _filler(table: Table, **given: Any) -> dict[str, Any]:
    """Values for every required column the test does not care about."""
    return filler_row(table, NOW, **given)


def _insert_old_rows(database: Database) -> None:
    metadata = MetaData()
    tables = {
        n: Table(n, metadata, autoload_with=database.engine) for n in ("workspaces", "programs", "rounds")
    }
    intros = Table("intros", metadata, autoload_with=database.engine)
    with database.engine.begin() as conn:
        conn.execute(tables["workspaces"].insert().values(_filler(tables["workspaces"], id="T1")))
        conn.execute(tables["programs"].insert().values(_filler(tables["programs"], id=1, workspace_id="T1")))
        conn.execute(tables["rounds"].insert().values(_filler(tables["rounds"], id=1, program_id=1)))
        for intro_id, marker in MARKERS.items():
            row = _filler(intros, id=intro_id, round_id=1, state="posted", followup_ts=marker)
            conn.execute(intros.insert().values(row))


def _followups(database: Database) -> dict[int, tuple[Any, ...]]:
    intros = Table("intros", MetaData(), autoload_with=database.engine)
    columns = [intros.c.id, intros.c.followup_ts]
    if "followup_started_at" in intros.c:
        columns.append(intros.c.followup_started_at)
    with database.engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(select(*columns))}


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC) if value.tzinfo is None else value


def test_markers_become_start_times_and_sent_follow_ups_are_kept(old_database: Database) -> None:
    _insert_old_rows(old_database)
    assert current_revision(old_database) == BEFORE

    upgrade(old_database)

    stored = {i: (ts, _utc(at)) for i, (ts, at) in _followups(old_database).items()}
    assert stored == {
        1: (None, None),
        2: ("1764321000.000100", None),
        3: (None, STARTED.replace(microsecond=250000)),
        4: (None, datetime.fromtimestamp(0, UTC)),
    }


def test_downgrading_writes_the_markers_back(old_database: Database) -> None:
    _insert_old_rows(old_database)
    upgrade(old_database)
    with old_database.engine.connect() as connection:
        config = alembic_config(old_database.url)
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
        connection.commit()

    assert _followups(old_database) == {
        1: (None,),
        2: ("1764321000.000100",),
        3: (f"sending:{STARTED.timestamp():.3f}",),
        4: ("sending:0.000",),
    }


def test_downgrading_keeps_every_intros_members(old_database: Database) -> None:
    _insert_old_rows(old_database)
    metadata = MetaData()
    members = Table("members", metadata, autoload_with=old_database.engine)
    intro_members = Table("intro_members", metadata, autoload_with=old_database.engine)
    with old_database.engine.begin() as conn:
        conn.execute(members.insert().values(_filler(members, id=1, workspace_id="T1", slack_id="U1")))
        for intro_id in MARKERS:
            conn.execute(
                intro_members.insert().values(_filler(intro_members, intro_id=intro_id, member_id=1))
            )
    upgrade(old_database)
    with old_database.engine.connect() as connection:
        config = alembic_config(old_database.url)
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
        connection.commit()
    with old_database.engine.connect() as conn:
        kept = conn.execute(select(intro_members.c.intro_id)).scalars().all()
    assert sorted(kept) == sorted(MARKERS), "the downgrade rebuilt intros and cascaded away its members"
