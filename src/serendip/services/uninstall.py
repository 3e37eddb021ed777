"""Uninstall: a workspace whose last token was revoked is marked, and its rounds stop at once; a
reinstall clears the mark. Its data is deleted later by `services.workspace_purge`.

The mark is on the scope id (the team id, or the enterprise id of an org-wide install). While it is
set no round of the scope starts, a round being delivered stops before its next post, and no
follow-up or ask is sent; what was stored stays as it was, so a reinstall picks up where it stopped.
"""

from __future__ import annotations

import logging
from datetime import datetime

from serendip.adapters.db import uninstall_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow

log = logging.getLogger(__name__)


def mark_uninstalled(
    db: Database, scope_id: str, *, at: datetime | None = None, cause: str = "", only_known: bool = False
) -> bool:
    """Stop the scope's rounds from now on; True when it was not marked already (an earlier
    mark is kept, so the grace period runs from the first revocation). With ``only_known`` a
    scope Serendip never stored anything for is left alone."""
    when = at or utcnow()
    with db.transaction() as session:
        marked = store.mark_uninstalled(session, scope_id, when, create=not only_known)
    if marked:
        log.warning("workspace.uninstalled scope=%s cause=%s at=%s", scope_id, cause or "-", when.isoformat())
    return marked


def mark_reinstalled(db: Database, scope_id: str) -> bool:
    """The app is installed in the scope again: clear the mark (its rounds resume, nothing is
    purged); True when there was a mark."""
    with db.transaction() as session:
        cleared = store.clear_mark(session, scope_id)
    if cleared:
        log.info("workspace.reinstalled scope=%s", scope_id)
    return cleared


def uninstalled_at(db: Database, scope_id: str) -> datetime | None:
    """When the scope was marked uninstalled, or None while it is installed."""
    with db.transaction() as session:
        return store.uninstalled_at(session, scope_id)


def uninstalled_count(db: Database) -> int:
    """How many scopes are marked uninstalled (their data waits for the purge)."""
    with db.transaction() as session:
        return len(session.scalars(store.uninstalled_scopes()).all())
