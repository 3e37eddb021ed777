"""slack-sdk's SQLAlchemy installation and OAuth state stores on Serendip's own database.

Their tables come from migration 7e3c1a9b5d20 (never `create_tables()`). An installation serves one
scope: a workspace (its team id) or, for an Enterprise Grid org-wide install, the whole org (its
enterprise id); the scope id is what our `workspace_id` columns hold.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import RowMapping, Select, and_, delete, desc, false, or_, select, true
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database

log = logging.getLogger(__name__)


class NotInstalled(LookupError):
    """No installation serves this scope id (never installed, or uninstalled)."""

    def __init__(self, scope_id: str) -> None:
        super().__init__(f"no installation for scope {scope_id!r}")
        self.scope_id = scope_id


def scope_of(installation: Installation) -> str:
    """The scope id an installation serves: the enterprise id of an org-wide install, else the team id."""
    scope = installation.enterprise_id if installation.is_enterprise_install else installation.team_id
    return scope or ""


class InstallationStore(SQLAlchemyInstallationStore):
    """slack-sdk's store on `Database.engine`, plus lookups by scope id."""

    def __init__(self, db: Database, client_id: str) -> None:
        super().__init__(
            client_id=client_id, engine=db.engine, logger=logging.getLogger("serendip.installations")
        )
        self.db = db

    def latest_query(self, scope_id: str) -> Select[Any]:
        """The latest installation with a bot token serving ``scope_id`` (a team or an org-wide install)."""
        c = self.installations.c
        serves = or_(
            and_(c.team_id == scope_id, c.is_enterprise_install == false()),
            and_(c.enterprise_id == scope_id, c.is_enterprise_install == true()),
        )
        return (
            select(self.installations)
            .where(c.client_id == self.client_id, c.bot_token.is_not(None), serves)
            .order_by(desc(c.installed_at), desc(c.id))
            .limit(1)
        )

    def find_by_scope(self, scope_id: str) -> Installation | None:
        """The installation serving a scope id, as stored (no rotation: see `TokenRotation`)."""
        with self.engine.connect() as conn:
            row = conn.execute(self.latest_query(scope_id)).mappings().first()
        return None if row is None else self.build_installation_entity(row)

    def scope_ids(self) -> list[str]:
        """Every scope id with an installation, sorted (what the worker serves)."""
        c = self.installations.c
        query = (
            select(c.enterprise_id, c.team_id, c.is_enterprise_install)
            .where(c.client_id == self.client_id, c.bot_token.is_not(None))
            .distinct()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        scopes = {(enterprise if org_wide else team) or "" for enterprise, team, org_wide in rows}
        return sorted(scope for scope in scopes if scope)

    def save_rotated(self, session: Session, row: RowMapping, installation: Installation) -> None:
        """Write rotated tokens to the installation's row and its bot row, in the caller's transaction."""
        installations, bots = self.installations, self.bots
        session.execute(
            installations.update()
            .where(installations.c.id == row["id"])
            .values(
                bot_token=installation.bot_token,
                bot_refresh_token=installation.bot_refresh_token,
                bot_token_expires_at=_naive_utc(installation.bot_token_expires_at),
                user_token=installation.user_token,
                user_refresh_token=installation.user_refresh_token,
                user_token_expires_at=_naive_utc(installation.user_token_expires_at),
            )
        )
        # slack-sdk keeps the bot's tokens in slack_bots too, in the row saved with this installation
        # (`== None` is IS NULL: an org-wide install has no team id).
        session.execute(
            bots.update()
            .where(
                bots.c.client_id == self.client_id,
                bots.c.enterprise_id == row["enterprise_id"],
                bots.c.team_id == row["team_id"],
                bots.c.installed_at == row["installed_at"],
            )
            .values(
                bot_token=installation.bot_token,
                bot_refresh_token=installation.bot_refresh_token,
                bot_token_expires_at=_naive_utc(installation.bot_token_expires_at),
            )
        )


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack-sdk's state store on `Database.engine`; issuing a state also drops expired ones, so
    install pages opened and abandoned never pile up."""

    def __init__(self, db: Database, *, expiration_seconds: int) -> None:
        super().__init__(
            expiration_seconds=expiration_seconds,
            engine=db.engine,
            logger=logging.getLogger("serendip.installations"),
        )

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state value, after deleting the expired ones."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.engine.begin() as conn:
            conn.execute(delete(self.oauth_states).where(self.oauth_states.c.expire_at <= now))
        return str(super().issue(*args, **kwargs))


def _naive_utc(timestamp: int | None) -> datetime | None:
    """slack-sdk's column holds naive UTC datetimes; its models hold epoch seconds."""
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
