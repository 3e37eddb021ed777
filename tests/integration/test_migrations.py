"""The schema: migrations create it on both engines and agree with the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from serendip.adapters.db.engine import Database
from serendip.adapters.db.foreign_tables import include_name
from serendip.adapters.db.migrate import alembic_config, current_revision, upgrade
from serendip.adapters.db.models import Base
from tests.support.postgres import PostgresServer


def test_models_and_migrations_agree(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_autogenerate_through_env_py_finds_nothing_to_generate(database: Database) -> None:
    # env.py's filter keeps slack-sdk's installation tables out of autogenerate's diff.
    command.check(alembic_config(database.url))


def test_upgrade_creates_every_table(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(database) is not None


def test_upgrade_twice_is_a_no_op(database: Database) -> None:
    before = current_revision(database)
    upgrade(database)
    assert current_revision(database) == before


def test_upgrade_from_empty_postgres_database(postgres_server: PostgresServer) -> None:
    name = postgres_server.create_database()
    database = Database(postgres_server.url(name))
    try:
        upgrade(database)
        assert "members" in inspect(database.engine).get_table_names()
    finally:
        database.dispose()
        postgres_server.drop_database(name)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_postgres_engine_is_really_postgres(database: Database, engine_name: str) -> None:
    with database.engine.connect() as conn:
        assert "PostgreSQL 1" in str(conn.execute(text("SELECT version()")).scalar())
