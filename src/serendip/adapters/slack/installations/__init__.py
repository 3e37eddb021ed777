"""OAuth mode: installations in slack-sdk's stores on our database, and their locked token rotation."""

from __future__ import annotations

from dataclasses import dataclass

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.installations.rotation import TokenRotation, TokenRotationFailed
from serendip.adapters.slack.installations.store import (
    InstallationStore,
    NotInstalled,
    OAuthStateStore,
    scope_of,
)

__all__ = [
    "InstallationStore",
    "Installations",
    "NotInstalled",
    "OAuthStateStore",
    "TokenRotation",
    "TokenRotationFailed",
    "scope_of",
]

# How long an "Add to Slack" page's state stays valid (slack-sdk's default).
STATE_EXPIRATION_SECONDS = 600


@dataclass(frozen=True)
class Installations:
    """OAuth mode's installation store, OAuth state store and token rotation, on one database."""

    store: InstallationStore
    states: OAuthStateStore
    rotation: TokenRotation

    @classmethod
    def on(cls, db: Database, *, client_id: str, client_secret: str, api_url: str) -> Installations:
        """The stores on ``db``'s engine; refreshes go to ``api_url`` (SLACK_API_URL)."""
        store = InstallationStore(db, client_id)
        return cls(
            store=store,
            states=OAuthStateStore(db, expiration_seconds=STATE_EXPIRATION_SECONDS),
            rotation=TokenRotation(store, client_secret=client_secret, api_url=api_url),
        )

    def bot_token(self, scope_id: str) -> str:
        """The current bot token of the scope's installation, rotated first when it expires soon."""
        token = self.rotation.current(scope_id).bot_token
        if token is None:
            raise NotInstalled(scope_id)
        return token

    def scope_ids(self) -> list[str]:
        """Every installed scope id."""
        return self.store.scope_ids()
