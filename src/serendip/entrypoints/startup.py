"""Checks `serve` and `worker` run before doing anything else, each failing with one clear line."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.errors import translate
from serendip.config import SettingError
from serendip.services.slack_errors import Permanent

log = logging.getLogger(__name__)

# auth.test answers these when the token itself is wrong, revoked or belongs to a removed app.
TOKEN_REFUSED = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


class StartupError(Exception):
    """A startup check failed; the message is the one line to print."""


class TokenRefused(SettingError):
    """Slack refused SLACK_BOT_TOKEN itself (`reason` is Slack's error code)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def check_slack(client: WebClient) -> str:
    """Call auth.test once and return the team id; a refused token names SLACK_BOT_TOKEN."""
    try:
        response = client.auth_test()
    except Exception as exc:
        error = translate(exc)
        if isinstance(error, Permanent) and error.reason in TOKEN_REFUSED:
            raise TokenRefused(
                f"SLACK_BOT_TOKEN was refused by Slack ({error.reason}); "
                "copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page",
                error.reason,
            ) from None
        raise StartupError(
            f"Slack's auth.test failed ({error.reason}); check SLACK_API_URL and the network"
        ) from None
    team_id = str(response.get("team_id") or "")
    log.info("startup.slack_ok team=%s", team_id)
    return team_id


def check_database(database: Database) -> None:
    """Open one connection and run SELECT 1; one line naming DATABASE_URL's failure otherwise."""
    try:
        database.ping()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise StartupError(
            f"database unreachable (DATABASE_URL, {database.dialect}): {reason[0] if reason else type(exc).__name__}"
        ) from None
    log.info("startup.database_ok dialect=%s", database.dialect)
