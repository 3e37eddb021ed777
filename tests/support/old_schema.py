"""An empty database migrated only up to an older revision, for testing one migration's data step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, DateTime, Integer, Table

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from tests.support.postgres import PostgresServer


@contextmanager
def database_at(
    revision: str, engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """A fresh database on the engine under test at ``revision``; dropped afterwards."""
    if engine_name == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(database, revision)
        yield database
        database.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    database = Database(server.url(name))
    upgrade(database, revision)
    yield database
    database.dispose()
    server.drop_database(name)


def filler_row(table: Table, now: datetime, **given: Any) -> dict[str, Any]:
    """A row of `table` with the given values and a plain one for every other required column."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable:
            continue
        if isinstance(column.type, Boolean):
            row[column.name] = False
        elif isinstance(column.type, Integer):
            row[column.name] = 0
        elif isinstance(column.type, DateTime):
            row[column.name] = now
        elif isinstance(column.type, JSON):
            row[column.name] = {}
        else:
            row[column.name] = "x"
    return row
