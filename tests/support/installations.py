"""Installations stored as the OAuth flow stores them (through slack-sdk's own SQLAlchemy store),
without a sandbox install: user-token-only leftovers, a Grid workspace's own install, any team."""

from __future__ import annotations

import secrets

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import and_, func, or_, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.installation_rows import TABLES

CLIENT_ID = "1111.2222"


def installation_store(database: Database) -> SQLAlchemyInstallationStore:
    """slack-sdk's store on Serendip's database (its tables come from our migration)."""
    return SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=database.engine)


def install(
    database: Database,
    *,
    installer: str,
    team_id: str | None,
    enterprise_id: str | None = None,
    bot_user_id: str | None = None,
) -> None:
    """Store one install: a bot token when ``bot_user_id`` is given, else only the installer's
    user token; org-wide (no team) when ``team_id`` is None."""
    installation_store(database).save(
        Installation(
            app_id="A0SERENDIP",
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=f"xoxb-{secrets.token_hex(8)}" if bot_user_id else None,
            bot_id="B0SERENDIP" if bot_user_id else None,
            bot_user_id=bot_user_id,
            bot_scopes="chat:write,commands" if bot_user_id else "",
            user_id=installer,
            user_token=f"xoxp-{secrets.token_hex(8)}",
            user_scopes="identify",
            is_enterprise_install=team_id is None,
        )
    )


def count(database: Database, scope_id: str) -> int:
    """Installation and bot rows stored for a scope (a workspace's, or an org-wide install's)."""
    total = 0
    with database.transaction() as session:
        for table in TABLES:
            c = table.c
            serves = or_(
                and_(c.team_id == scope_id, c.is_enterprise_install.is_(False)),
                and_(c.enterprise_id == scope_id, c.is_enterprise_install.is_(True)),
            )
            total += session.scalar(select(func.count()).select_from(table).where(serves)) or 0
    return total
