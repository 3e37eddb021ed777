"""Slack rate budgets shared by every replica: one row per (workspace, method), one short transaction.

A sliding window of the calls made (epoch seconds), so no replica sends the limit's 51st call in
any window, and the end of a 429's Retry-After, so every replica pauses that method together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from serendip.adapters.db.lifecycle_store import locked
from serendip.adapters.db.models import SlackCallBudget


def _row(session: Session, workspace_id: str, method: str) -> SlackCallBudget:
    """The budget row, created if missing and locked for the rest of the transaction.

    On SQLite the INSERT takes the database's write lock first, so the read below is current.
    """
    values = {"workspace_id": workspace_id, "method": method, "recent": []}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(SlackCallBudget).values(values).on_conflict_do_nothing())
    query = select(SlackCallBudget).where(
        SlackCallBudget.workspace_id == workspace_id, SlackCallBudget.method == method
    )
    row = session.scalars(locked(session, query).execution_options(populate_existing=True)).one()
    return row


def take_call(
    session: Session, workspace_id: str, method: str, *, now: datetime, limit: int | None, window: float
) -> float:
    """Count one call if the budget has room now (0.0); otherwise the seconds until it has.

    A method without a limit (None) is only held back by a pause.
    """
    row = _row(session, workspace_id, method)
    if row.paused_until is not None and row.paused_until > now:
        return (row.paused_until - now).total_seconds()
    if limit is None:
        return 0.0
    at = now.timestamp()
    recent = sorted(t for t in row.recent if t > at - window)
    if len(recent) >= limit:
        row.recent = recent
        return max(recent[-limit] + window - at, 0.001)
    row.recent = [*recent, at]
    return 0.0


def pause(session: Session, workspace_id: str, method: str, *, until: datetime) -> None:
    """Pause the method for the workspace until `until` (a 429's Retry-After); never shortens a pause."""
    row = _row(session, workspace_id, method)
    if row.paused_until is None or row.paused_until < until:
        row.paused_until = until
