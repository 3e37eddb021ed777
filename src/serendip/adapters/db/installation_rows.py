"""slack-sdk's installation store rows (`slack_installations`, `slack_bots`) by scope id: what the
revocation events remove and the purge deletes.

The store's own `delete_bot` / `delete_installation` match an exact (enterprise, team) pair, and
an org-wide install is stored with no team: an event about it (which names a team) would miss it,
and they never match a bot user. So the rows are matched here by scope: an org-wide install by its
enterprise id, a workspace's by its team id. Both tables hold a bot token; either keeps a scope
installed (Bolt's authorize reads the installation first and the bot table after).
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import ColumnElement, MetaData, Table, and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import affected_rows

_STORE = SQLAlchemyInstallationStore
_METADATA = MetaData()
INSTALLATIONS = _STORE.build_installations_table(_METADATA, _STORE.default_installations_table_name)
BOTS = _STORE.build_bots_table(_METADATA, _STORE.default_bots_table_name)
TABLES = (INSTALLATIONS, BOTS)


def _of_scope(table: Table, scope_id: str) -> ColumnElement[bool]:
    org_wide = and_(table.c.is_enterprise_install.is_(True), table.c.enterprise_id == scope_id)
    workspace = and_(table.c.is_enterprise_install.is_(False), table.c.team_id == scope_id)
    return or_(org_wide, workspace)


def delete_scope(session: Session, scope_id: str) -> dict[str, int]:
    """Delete every installation and bot row of the scope; rows deleted per table."""
    return {
        table.name: affected_rows(session.execute(delete(table).where(_of_scope(table, scope_id))))
        for table in TABLES
    }


def delete_bots(session: Session, scope_id: str, bot_user_ids: Sequence[str]) -> int:
    """Delete the scope's rows holding a token of these bot users; how many went."""
    if not bot_user_ids:
        return 0
    return sum(
        affected_rows(
            session.execute(
                delete(table).where(_of_scope(table, scope_id), table.c.bot_user_id.in_(list(bot_user_ids)))
            )
        )
        for table in TABLES
    )


def delete_team(session: Session, team_id: str) -> int:
    """Delete the installations made in one workspace (not an org-wide install); how many went."""
    return sum(
        affected_rows(
            session.execute(
                delete(table).where(table.c.is_enterprise_install.is_(False), table.c.team_id == team_id)
            )
        )
        for table in TABLES
    )


def has_bot(session: Session, scope_id: str) -> bool:
    """Whether a bot token of the scope is still stored in either table."""
    stored = [exists().where(_of_scope(t, scope_id), t.c.bot_token.is_not(None)) for t in TABLES]
    return bool(session.scalar(select(or_(*stored))))


class StoredInstallations:
    """The installation store's rows in Serendip's database, as `services.revocation` removes them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def remove_scope(self, scope_id: str) -> int:
        """Remove every installation and bot token of the scope; how many rows went."""
        with self.db.transaction() as session:
            return sum(delete_scope(session, scope_id).values())

    def remove_bots(self, scope_id: str, bot_user_ids: Sequence[str]) -> int:
        """Remove the scope's tokens of these bot users; how many rows went."""
        with self.db.transaction() as session:
            return delete_bots(session, scope_id, bot_user_ids)

    def remove_team(self, team_id: str) -> int:
        """Remove the installations made in one workspace of an org; how many rows went."""
        with self.db.transaction() as session:
            return delete_team(session, team_id)

    def has_bot(self, scope_id: str) -> bool:
        """Whether any bot token of the scope is still stored."""
        with self.db.transaction() as session:
            return has_bot(session, scope_id)
