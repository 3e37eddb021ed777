"""What a completed install leaves in Serendip's own tables: the workspace row of its scope, no
longer marked uninstalled."""

from __future__ import annotations

import logging

from slack_sdk.oauth.installation_store import Installation

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.slack.installations.store import scope_of
from serendip.services import uninstall

log = logging.getLogger(__name__)


def record_installation(db: Database, installation: Installation) -> str:
    """Create (or refresh) the workspace row of the installation's scope id and log the install."""
    scope_id = scope_of(installation)
    with db.transaction() as session:
        workspace = repo.get_or_create_workspace(session, scope_id)
        name = installation.enterprise_name if installation.is_enterprise_install else installation.team_name
        workspace.name = name or workspace.name
        workspace.bot_user_id = installation.bot_user_id or workspace.bot_user_id
    # Installed again within the grace period: the rounds resume and nothing is purged.
    uninstall.mark_reinstalled(db, scope_id)
    log.info(
        "install.completed scope=%s enterprise=%s team=%s",
        scope_id,
        installation.enterprise_id or "",
        installation.team_id or "",
    )
    return scope_id
