"""Bolt's `authorize` in OAuth mode: the request's installation, through the locked token rotation.

Bolt's own InstallationStoreAuthorize would refresh an expiring token without any lock (and call
auth.test on every request); Bolt accepts an `Authorize` instance next to `oauth_settings`, so this
one is used for every request instead.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_sdk.oauth.installation_store import Installation

from serendip.adapters.slack.installations.rotation import TokenRotation, TokenRotationFailed
from serendip.adapters.slack.installations.store import NotInstalled

log = logging.getLogger(__name__)


def request_installation(
    rotation: TokenRotation, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool
) -> Installation | None:
    """The installation serving a request: the org's for an org-wide install, else the workspace's,
    else its org's (a Grid workspace served by an org-wide install); None when none does."""
    scopes = [enterprise_id] if is_enterprise_install else [team_id, enterprise_id]
    for scope in scopes:
        if not scope:
            continue
        try:
            return rotation.current(scope)
        except NotInstalled:
            continue
        except TokenRotationFailed:
            return None
    return None


class RotatingAuthorize(Authorize):
    """Authorize a request with its installation's bot token, rotated under the shared row lock."""

    def __init__(self, rotation: TokenRotation) -> None:
        # Authorize.__init__ does nothing (and is untyped): not called.
        self.rotation = rotation

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: Any,
    ) -> AuthorizeResult | None:
        """The bot token and ids of the installation serving this request (None: not installed)."""
        installation = request_installation(
            self.rotation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=bool(context.is_enterprise_install),
        )
        if installation is None or installation.bot_token is None:
            log.warning("install.not_found enterprise=%s team=%s", enterprise_id or "", team_id or "")
            return None
        return AuthorizeResult(
            enterprise_id=installation.enterprise_id,
            # An org-wide install has no team of its own: the request's workspace is the team.
            team_id=installation.team_id or team_id,
            team=installation.team_name,
            url=installation.enterprise_url,
            bot_id=installation.bot_id,
            bot_user_id=installation.bot_user_id,
            bot_token=installation.bot_token,
            bot_scopes=installation.bot_scopes,
            user_id=user_id,
        )
