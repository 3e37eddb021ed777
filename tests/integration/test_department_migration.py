"""The department-identity migration keys existing members and keeps each workspace's first spelling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import current_revision, upgrade
from serendip.domain.departments import department_key
from tests.support.old_schema import database_at

BEFORE = "a2f66ca88cf2"
# (workspace, slack id, department as stored before the migration), in insertion (id) order.
MEMBERS = [
    ("T1", "U1", "Sales"),
    ("T1", "U2", " sales"),
    ("T1", "U3", "SALES  "),
    ("T1", "U4", "Marketing"),
    ("T1", "U5", "   "),
    ("T1", "U6", None),
    ("T2", "U1", "sales"),
    ("T2", "U2", "Sales"),
]


@pytest.fixture
def old_database(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty database on the engine under test, migrated only to the revision before departments."""
    with database_at(BEFORE, engine_name, tmp_path, request) as database:
        yield database


def _insert_old_rows(database: Database) -> None:
    metadata = MetaData()
    workspaces = Table("workspaces", metadata, autoload_with=database.engine)
    members = Table("members", metadata, autoload_with=database.engine)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    defaults = {
        "name": "", "real_name": "", "tz": "UTC", "tz_offset_minutes": 0, "work_start_minute": 540,
        "work_end_minute": 1020, "is_deleted": False, "is_bot": False, "is_guest": False,
        "is_workspace_admin": False, "may_be_asked": True, "created_at": now, "updated_at": now,
    }  # fmt: skip
    with database.engine.begin() as conn:
        conn.execute(workspaces.insert(), [{"id": t, "name": t, "created_at": now} for t in ("T1", "T2")])
        for workspace_id, slack_id, department in MEMBERS:
            row = {k: v for k, v in defaults.items() if k in members.c}
            row |= {"workspace_id": workspace_id, "slack_id": slack_id, "department": department}
            conn.execute(members.insert().values(row))


def test_the_migration_keys_members_and_shows_each_workspaces_first_spelling(old_database: Database) -> None:
    _insert_old_rows(old_database)
    assert current_revision(old_database) == BEFORE

    upgrade(old_database)

    metadata = MetaData()
    members = Table("members", metadata, autoload_with=old_database.engine)
    departments = Table("departments", metadata, autoload_with=old_database.engine)
    with old_database.engine.connect() as conn:
        stored = {
            (w, s): (d, k)
            for w, s, d, k in conn.execute(
                select(
                    members.c.workspace_id, members.c.slack_id, members.c.department, members.c.department_key
                )
            )
        }
        table = {
            (w, k): n
            for w, k, n in conn.execute(
                select(departments.c.workspace_id, departments.c.key, departments.c.name)
            )
        }
    assert stored == {
        ("T1", "U1"): ("Sales", "sales"),
        ("T1", "U2"): ("Sales", "sales"),
        ("T1", "U3"): ("Sales", "sales"),
        ("T1", "U4"): ("Marketing", "marketing"),
        ("T1", "U5"): (None, None),
        ("T1", "U6"): (None, None),
        ("T2", "U1"): ("sales", "sales"),
        ("T2", "U2"): ("sales", "sales"),
    }
    assert table == {("T1", "sales"): "Sales", ("T1", "marketing"): "Marketing", ("T2", "sales"): "sales"}
    # The migration's frozen copy of the rule agrees with the application's.
    assert all(stored[(w, s)][1] == department_key(d) for w, s, d in MEMBERS)
