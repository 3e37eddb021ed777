"""An empty database migrated only up to an older revision, for testing one migration's data step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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
