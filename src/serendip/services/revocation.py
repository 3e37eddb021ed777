"""Slack's revocation events: `app_uninstalled`, `tokens_revoked` and `team_access_revoked`.

Each removes the installations it names at once. They arrive in any order, so none of them decides
alone: after each, a scope with no bot token left counts as uninstalled (its rounds stop; its data
is purged after the grace period). In single-workspace token mode there is no installation store:
the events that revoke the bot mark the workspace directly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from serendip.adapters.db.engine import Database
from serendip.services import uninstall

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Installed:
    """Which installation an event is about: an org-wide install (by enterprise) or a workspace's."""

    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool = False

    @property
    def scope_id(self) -> str | None:
        """The scope id its data is kept under: the enterprise id of an org-wide install (flagged, or
        an envelope naming an org and no team), else the team."""
        if self.is_enterprise_install or self.team_id is None:
            return self.enterprise_id
        return self.team_id


class Installations(Protocol):
    """The stored installations (OAuth mode) the revocation events remove, by scope id."""

    def remove_scope(self, scope_id: str) -> int:
        """Remove every installation and bot token of the scope; how many rows went."""
        ...

    def remove_bots(self, scope_id: str, bot_user_ids: Sequence[str]) -> int:
        """Remove the scope's tokens of these bot users; how many rows went."""
        ...

    def remove_team(self, team_id: str) -> int:
        """Remove the installations made in one workspace of an org; how many rows went."""
        ...

    def has_bot(self, scope_id: str) -> bool:
        """Whether any bot token of the scope is still stored."""
        ...


def app_uninstalled(db: Database, installations: Installations | None, installed: Installed) -> bool:
    """The app was removed from the install: all its installations go; True when this marked the
    scope uninstalled."""
    scope_id = installed.scope_id
    removed = installations.remove_scope(scope_id) if installations is not None and scope_id else 0
    return _settle(db, installations, scope_id, "app_uninstalled", removed)


def tokens_revoked(
    db: Database,
    installations: Installations | None,
    installed: Installed,
    *,
    bot_user_ids: Sequence[str],
    user_ids: Sequence[str] = (),
) -> bool:
    """Tokens of the install were revoked: the named bots' tokens go (Serendip keeps no user
    tokens); True when this marked the scope uninstalled."""
    scope_id = installed.scope_id
    if not bot_user_ids:
        log.info("slack.tokens_revoked scope=%s bots=0 users=%d", scope_id or "-", len(user_ids))
        return False
    removed = (
        installations.remove_bots(scope_id, bot_user_ids) if installations is not None and scope_id else 0
    )
    return _settle(db, installations, scope_id, "tokens_revoked", removed)


def team_access_revoked(
    db: Database, installations: Installations | None, *, team_ids: Sequence[str]
) -> list[str]:
    """An org app lost these workspaces: their own installations go; the scopes this marked
    uninstalled (an org-wide install keeps its scope, the enterprise, while it has a token)."""
    marked = []
    for team_id in team_ids:
        removed = installations.remove_team(team_id) if installations is not None else 0
        if _settle(db, installations, team_id, "team_access_revoked", removed, only_known=True):
            marked.append(team_id)
    return marked


def _settle(
    db: Database,
    installations: Installations | None,
    scope_id: str | None,
    cause: str,
    removed: int,
    *,
    only_known: bool = False,
) -> bool:
    """Mark the scope uninstalled when no bot token of it is left (any event order ends the same)."""
    if scope_id is None:
        log.warning("slack.revocation_without_scope cause=%s", cause)
        return False
    left = installations is not None and installations.has_bot(scope_id)
    marked = not left and uninstall.mark_uninstalled(db, scope_id, cause=cause, only_known=only_known)
    log.info(
        "slack.installation_removed scope=%s cause=%s rows=%d bot_left=%s newly_uninstalled=%s",
        scope_id,
        cause,
        removed,
        left,
        marked,
    )
    return marked
