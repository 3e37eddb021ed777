"""Retention: intros, their outcomes and audit entries older than SERENDIP_RETENTION_DAYS are purged."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from serendip.adapters.db.engine import Database
from serendip.adapters.db.retention_store import PurgedRows, purge_before
from serendip.adapters.db.types import utcnow
from serendip.observability import metrics

log = logging.getLogger(__name__)


def purge_expired(db: Database, *, days: int, now: datetime | None = None) -> PurgedRows:
    """Delete what is older than ``days`` in one transaction; logged with counts."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    with db.transaction() as session:
        purged = purge_before(session, cutoff)
    log.info(
        "retention.purged days=%d cutoff=%s intros=%d intro_members=%d outcomes=%d audit_entries=%d",
        days,
        cutoff.isoformat(),
        purged.intros,
        purged.intro_members,
        purged.outcomes,
        purged.audit_entries,
    )
    metrics.rows_purged("intros", purged.intros)
    metrics.rows_purged("intro_members", purged.intro_members)
    metrics.rows_purged("intro_outcomes", purged.outcomes)
    metrics.rows_purged("audit_log", purged.audit_entries)
    return purged
