"""Accepted request signatures, so a captured signed request replayed within Slack's window is ignored."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import AcceptedRequest

# Slack refuses timestamps older than 5 minutes; keep hashes a little longer than that.
KEEP_FOR = timedelta(minutes=6)


def accept_once(db: Database, signature_hash: str, now: datetime) -> bool:
    """Record a signature hash; False when it was already recorded (a replay).

    One INSERT; on PostgreSQL it waits at most a second for locks, so a busy database makes the
    caller say "try again" instead of holding Slack past its 3 seconds.
    """
    try:
        with db.transaction() as session:
            if db.dialect == "postgresql":
                session.execute(text("SET LOCAL lock_timeout = '1s'"))
                session.execute(text("SET LOCAL statement_timeout = '1s'"))
            session.add(AcceptedRequest(signature_hash=signature_hash, accepted_at=now))
            session.flush()
            session.execute(delete(AcceptedRequest).where(AcceptedRequest.accepted_at < now - KEEP_FOR))
    except IntegrityError:
        return False
    return True
