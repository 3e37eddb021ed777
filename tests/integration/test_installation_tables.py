"""slack-sdk's installation and OAuth state tables, as our migration creates them, are exactly the
ones the installed slack_sdk defines: an upgrade that changes them fails here, not in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, inspect

from serendip.adapters.db.engine import Database
from serendip.adapters.db.foreign_tables import SLACK_SDK_TABLES


def slack_sdk_metadata() -> MetaData:
    """The three tables as slack_sdk's stores build them, under their default names."""
    metadata = MetaData()
    store = SQLAlchemyInstallationStore
    store.build_installations_table(metadata, store.default_installations_table_name)
    store.build_bots_table(metadata, store.default_bots_table_name)
    states = SQLAlchemyOAuthStateStore
    states.build_oauth_states_table(metadata, states.default_table_name)
    return metadata


def only_slack_sdk_tables(
    name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames
) -> bool:
    """Compare slack-sdk's tables (and their indexes), nothing of ours."""
    if type_ == "schema":
        return True
    table = name if type_ == "table" else parent_names.get("table_name")
    return table in SLACK_SDK_TABLES


def test_the_filtered_tables_are_the_ones_slack_sdk_defines() -> None:
    assert set(slack_sdk_metadata().tables) == SLACK_SDK_TABLES


def test_migrated_tables_have_exactly_slack_sdks_columns(database: Database) -> None:
    inspector = inspect(database.engine)
    for name, table in slack_sdk_metadata().tables.items():
        migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(name)}
        expected = {c.name: bool(c.nullable) for c in table.columns}
        assert migrated == expected, name


def test_migrated_tables_match_slack_sdks_types_and_indexes(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": only_slack_sdk_tables}
        )
        diff = compare_metadata(context, slack_sdk_metadata())
    assert diff == []
