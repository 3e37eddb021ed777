"""`among` selects exactly the rows whose value is listed, on both engines, at every size."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Department, Workspace
from serendip.adapters.db.value_lists import CHUNK, among

KEYS = [f"dept-{n:05d}" for n in range(CHUNK + 3)]


@pytest.fixture
def departments(database: Database) -> Database:
    """One workspace's CHUNK + 3 departments."""
    with database.transaction() as session:
        session.add(Workspace(id="T1"))
        session.flush()
        session.add_all(Department(workspace_id="T1", key=key, name=key.upper()) for key in KEYS)
    return database


LISTS = [[], KEYS[:1], KEYS[1:4], KEYS[:CHUNK], ["dept-none", "'; DROP", "%", '"]', KEYS[-1]]]


def test_among_selects_exactly_the_listed_values(departments: Database) -> None:
    # One database for every list: a setup per list cost more than the reads.
    for listed in LISTS:
        with departments.transaction() as session:
            found = session.scalars(
                select(Department.key).where(among(session, Department.key, listed))
            ).all()
        # Recounted in Python from the known keys, not from another query.
        assert sorted(found) == sorted(set(listed) & set(KEYS)), listed[:3]
