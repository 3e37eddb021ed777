"""Events API: the app uninstalled, its tokens revoked, an org app losing workspaces.

Signed and deduplicated by the server like every event; the ids are read with `payload_values`
(a malformed one is no scope at all, never an exception), the rest is `services.revocation`.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from serendip.adapters.db.installation_rows import StoredInstallations
from serendip.domain import payload_values as pv
from serendip.services import revocation
from serendip.services.deps import Deps


def register(app: App) -> None:
    """Attach the revocation listeners."""
    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
    app.event("team_access_revoked")(on_team_access_revoked)


def installed_of(body: dict[str, Any]) -> revocation.Installed:
    """The installation an event envelope is about (its first authorization, as Bolt reads it)."""
    authorizations = body.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else None
    source = first if isinstance(first, dict) else body
    return revocation.Installed(
        enterprise_id=pv.enterprise_id(source.get("enterprise_id"))
        or pv.enterprise_id(body.get("enterprise_id")),
        team_id=pv.team_id(source.get("team_id")) or pv.team_id(body.get("team_id")),
        is_enterprise_install=source.get("is_enterprise_install") is True,
    )


def _installations(deps: Deps) -> revocation.Installations | None:
    """The stored installations in OAuth mode; None in single-workspace token mode."""
    return StoredInstallations(deps.db) if deps.settings.oauth_mode else None


def on_app_uninstalled(body: dict[str, Any], deps: Deps) -> None:
    """Remove the install's installations; its rounds stop once no bot token is left."""
    revocation.app_uninstalled(deps.db, _installations(deps), installed_of(body))


def on_tokens_revoked(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """Remove the revoked bot tokens; the install's rounds stop once none is left."""
    tokens = event["tokens"]  # its shape is checked before any listener runs (payload_shape)
    revocation.tokens_revoked(
        deps.db,
        _installations(deps),
        installed_of(body),
        bot_user_ids=list(tokens.get("bot") or []),
        user_ids=list(tokens.get("oauth") or []),
    )


def on_team_access_revoked(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """Remove the installations made in the workspaces an org app lost."""
    revocation.team_access_revoked(deps.db, _installations(deps), team_ids=list(event["team_ids"]))
