"""The purge of uninstalled workspaces: every row of a workspace uninstalled more than
SERENDIP_UNINSTALL_GRACE_DAYS ago and not reinstalled, one transaction per workspace.

Each purge is logged as one line of counts per table (`workspace.purged scope=... members=...`),
never the data itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from serendip.adapters.db import installation_rows, purge_store, uninstall_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow

log = logging.getLogger(__name__)

# The tables an operator looks for first lead the log line; the others follow in deletion order.
LEADING = ("members", "programs", "rounds", "intros")


@dataclass(frozen=True)
class PurgedWorkspace:
    """One workspace deleted: its scope id, when it was uninstalled, and the rows per table."""

    scope_id: str
    uninstalled_at: datetime
    rows: dict[str, int]


def purge_uninstalled(db: Database, *, grace_days: int, now: datetime | None = None) -> list[PurgedWorkspace]:
    """Delete every workspace uninstalled at least ``grace_days`` ago; one failing is logged and
    retried at the next pass, the others still go."""
    cutoff = (now or utcnow()) - timedelta(days=grace_days)
    with db.transaction() as session:
        due = uninstall_store.due_for_purge(session, cutoff)
    purged = []
    for scope_id, _ in due:
        try:
            done = purge_workspace(db, scope_id, cutoff=cutoff)
        except Exception as exc:
            log.error("workspace.purge_failed scope=%s error=%s", scope_id, type(exc).__name__, exc_info=exc)
            continue
        if done is not None:
            purged.append(done)
    return purged


def purge_workspace(db: Database, scope_id: str, *, cutoff: datetime) -> PurgedWorkspace | None:
    """Delete the scope's every row in one transaction, if it is still marked uninstalled at or
    before ``cutoff`` (a reinstall meanwhile keeps it: None)."""
    with db.transaction() as session:
        at = purge_store.lock_if_due(session, scope_id, cutoff)
        if at is None:
            return None
        if installation_rows.has_bot(session, scope_id):
            # Installed again (the OAuth success path clears the mark; it did not get that far).
            uninstall_store.clear_mark(session, scope_id)
            log.warning("workspace.purge_skipped scope=%s reason=installed", scope_id)
            return None
        rows = purge_store.delete_scope(session, scope_id)
    counts = " ".join(f"{table}={rows[table]}" for table in _log_order(rows))
    log.info("workspace.purged scope=%s uninstalled_at=%s %s", scope_id, at.isoformat(), counts)
    return PurgedWorkspace(scope_id, at, rows)


def _log_order(rows: dict[str, int]) -> list[str]:
    return [t for t in LEADING if t in rows] + [t for t in rows if t not in LEADING]
