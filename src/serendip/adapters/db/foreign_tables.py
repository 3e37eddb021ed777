"""Tables in Serendip's database that our models do not describe: slack-sdk's installation store
and OAuth state store. A migration creates them with frozen columns; autogenerate leaves them alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

SLACK_SDK_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})


def include_name(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    """Alembic's `include_name` hook: compare every table with the models except slack-sdk's."""
    if type_ == "table":
        return name not in SLACK_SDK_TABLES
    return parent_names.get("table_name") not in SLACK_SDK_TABLES
