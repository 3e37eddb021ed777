"""Run Alembic migrations from a checkout or an installed wheel, one replica at a time."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from serendip.adapters.db.engine import Database

# Any constant works; it only has to be the same for every replica.
_MIGRATION_LOCK_ID = 0x5E2E_D1F


def migrations_dir() -> Path:
    """Where the migration scripts are: shipped in the package, linked to top-level migrations/."""
    packaged = Path(str(resources.files("serendip") / "migrations"))
    if (packaged / "env.py").exists():
        return packaged
    return Path(__file__).resolve().parents[4] / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at Serendip's migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Upgrade the schema; on PostgreSQL under an advisory lock so replicas don't race."""
    with database.engine.connect() as connection:
        if database.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
            connection.commit()
        try:
            config = alembic_config(database.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
        finally:
            if database.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_ID})
                connection.commit()


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
