"""Token rotation under a row lock shared by every process, so a refresh token is used only once.

Slack's refresh token works once: if `serve` and `serendip worker` both saw an expiring token and
both refreshed it, the second refresh would fail and that installation would be lost. So the
refresh runs inside a transaction holding the installation's row lock (PostgreSQL: SELECT ... FOR
UPDATE; SQLite: the database's write lock), re-reads the row after taking it (whoever waited
finds the new tokens and refreshes nothing) and saves the new tokens in that same transaction.
"""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.token_rotation import TokenRotator

from serendip.adapters.db.lifecycle_store import locked
from serendip.adapters.slack.installations.store import InstallationStore, NotInstalled

log = logging.getLogger(__name__)

# Slack's tokens live 12 hours; refresh in their last 2 (Bolt's default margin).
ROTATION_MARGIN_MINUTES = 120
# The refresh call runs under the lock; on SQLite that is the database's only write lock, which
# other writers wait for at most 10 s (busy_timeout), so the call must end well before that.
REFRESH_TIMEOUT_SECONDS = 5


class TokenRotationFailed(Exception):
    """An installation's token has expired and Slack did not refresh it."""

    def __init__(self, scope_id: str, reason: str) -> None:
        super().__init__(f"token rotation failed for scope {scope_id!r}: {reason}")
        self.scope_id, self.reason = scope_id, reason


class TokenRotation:
    """The installation serving a scope, its tokens refreshed first when they expire within the margin."""

    def __init__(
        self,
        store: InstallationStore,
        *,
        client_secret: str,
        api_url: str,
        margin_minutes: int = ROTATION_MARGIN_MINUTES,
    ) -> None:
        self.store = store
        self.margin_minutes = margin_minutes
        client = WebClient(base_url=api_url, timeout=REFRESH_TIMEOUT_SECONDS, retry_handlers=[])
        self.rotator = TokenRotator(client_id=store.client_id, client_secret=client_secret, client=client)

    def current(self, scope_id: str) -> Installation:
        """The installation serving ``scope_id`` with fresh tokens; `NotInstalled` when there is none."""
        installation = self.store.find_by_scope(scope_id)
        if installation is None:
            raise NotInstalled(scope_id)
        if not self.expiring(installation):
            return installation
        return self._rotate(scope_id)

    def expiring(self, installation: Installation) -> bool:
        """Whether a token of the installation expires within the margin."""
        deadline = time.time() + self.margin_minutes * 60
        expiries = (installation.bot_token_expires_at, installation.user_token_expires_at)
        return any(at is not None and at <= deadline for at in expiries)

    def _rotate(self, scope_id: str) -> Installation:
        with self.store.db.transaction() as session:
            # PostgreSQL: FOR UPDATE on the row; SQLite: the database's write lock, taken before the
            # read, so the read sees every committed rotation.
            row = session.execute(locked(session, self.store.latest_query(scope_id))).mappings().first()
            if row is None:
                raise NotInstalled(scope_id)
            installation = self.store.build_installation_entity(row)
            if not self.expiring(installation):
                return installation  # refreshed by another thread or process while this one waited
            try:
                refreshed = self.rotator.perform_token_rotation(
                    installation=installation, minutes_before_expiration=self.margin_minutes
                )
            except Exception as exc:
                return self._failed(scope_id, installation, exc)
            if refreshed is None:  # Slack answered with a token of another kind: keep what we have
                return installation
            self.store.save_rotated(session, row, refreshed)
        expires_in = int((refreshed.bot_token_expires_at or time.time()) - time.time())
        log.info("install.token_rotated scope=%s expires_in=%d", scope_id, expires_in)
        return refreshed

    def _failed(self, scope_id: str, installation: Installation, exc: Exception) -> Installation:
        reason = _reason(exc)
        expires_at = installation.bot_token_expires_at
        if expires_at is not None and expires_at > time.time():
            # Still valid for a while: serve with it, and the next use tries the refresh again.
            log.warning("install.rotation_failed scope=%s error=%s token_still_valid=true", scope_id, reason)
            return installation
        log.error("install.rotation_failed scope=%s error=%s token_still_valid=false", scope_id, reason)
        raise TokenRotationFailed(scope_id, reason) from None


def _reason(exc: Exception) -> str:
    """Slack's error code when it refused, else the exception's type (never a token)."""
    if isinstance(exc, SlackTokenRotationError):
        return str(exc.api_error.response.get("error") or "slack_error")
    return type(exc).__name__
