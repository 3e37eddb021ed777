"""The Slack budget delivery spends, shared by every replica through the database.

Slack limits each Web API method per workspace (conversations.open and conversations.history are
Tier 3: about 50 a minute). Every call delivery makes first takes a slot of its method's window in
the workspace's `slack_call_budgets` row, so two workers delivering rounds of one workspace never
send more than the limit together; a 429's Retry-After pauses that method for all of them. Except
chat.postMessage: Slack limits it per channel (about one post a second) besides a workspace-wide
limit, so a throttled post waits in its own conversation only, unless posts to two conversations
are throttled within one Retry-After (then the limit is the workspace's and every post pauses).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from serendip.adapters.db import budget_store
from serendip.adapters.db.delivery_queue import HISTORY, OPEN, POST
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow

log = logging.getLogger(__name__)

TIER_3 = 50
LIMITS: Mapping[str, int] = {OPEN: TIER_3, HISTORY: TIER_3}


class Blocked(Exception):
    """The method may not be called now (paused or out of budget); nothing was sent."""

    def __init__(self, method: str, wait: float) -> None:
        super().__init__(f"{method} blocked for {wait:.2f}s")
        self.method, self.wait = method, wait


class Gate(Protocol):
    """Asked before each Slack call of a delivery, and told about each 429."""

    def before(self, method: str) -> None:
        """Return when `method` may be called now; raise `Blocked` otherwise."""
        ...

    def rate_limited(self, method: str, retry_after: float) -> None:
        """Slack answered 429 with this Retry-After."""
        ...


class Unlimited:
    """No budget of our own: send until Slack says 429 (`deliver_intro` waits those out itself)."""

    def before(self, method: str) -> None:
        """Always allowed."""

    def rate_limited(self, method: str, retry_after: float) -> None:
        """Nothing to remember."""


class SharedBudget:
    """A workspace's budget in the database, with what this worker already knows is blocked."""

    def __init__(self, db: Database, workspace_id: str, *, limits: Mapping[str, int], window: float) -> None:
        self.db, self.workspace_id, self.limits, self.window = db, workspace_id, limits, window
        self._blocked: dict[str, datetime] = {}
        self._post_throttled_until: datetime | None = None

    def before(self, method: str) -> None:
        """Take a slot of the method's window (or check its pause); raise `Blocked` when none is free."""
        now = utcnow()
        until = self._blocked.get(method)
        if until is not None and until > now:
            raise Blocked(method, (until - now).total_seconds())
        with self.db.transaction() as session:
            wait = budget_store.take_call(
                session,
                self.workspace_id,
                method,
                now=now,
                limit=self.limits.get(method),
                # A little slack for the time a request takes to reach Slack, whose clock counts.
                window=self.window * 1.01 + 0.05,
            )
        if wait > 0:
            self._blocked[method] = now + timedelta(seconds=wait)
            raise Blocked(method, wait)

    def rate_limited(self, method: str, retry_after: float) -> None:
        """Pause the method for every worker of the workspace until Retry-After has passed."""
        until = utcnow() + timedelta(seconds=retry_after)
        with self.db.transaction() as session:
            budget_store.pause(session, self.workspace_id, method, until=until)
        self._blocked[method] = max(until, self._blocked.get(method, until))
        log.info("slack.paused team=%s method=%s retry_after_s=%.1f", self.workspace_id, method, retry_after)

    def post_throttled(self, retry_after: float) -> bool:
        """A post was answered 429: True when every post must pause (already done here), False when
        only its conversation waits (the caller defers that intro).

        The first throttled post is taken as its channel's limit; another one while that
        Retry-After runs means the workspace's posting limit, so the method pauses for everyone.
        """
        now = utcnow()
        if self._post_throttled_until is not None and self._post_throttled_until > now:
            self.rate_limited(POST, retry_after)
            return True
        self._post_throttled_until = now + timedelta(seconds=retry_after)
        return False

    def blocked(self) -> set[str]:
        """The Slack calls this worker knows it may not make now.

        A post whose outcome is unknown is confirmed (conversations.history) right before it is
        posted again, so while posts are paused those confirmations wait too.
        """
        now = utcnow()
        blocked = {method for method, until in self._blocked.items() if until > now}
        return blocked | {HISTORY} if POST in blocked else blocked

    def next_free(self) -> datetime | None:
        """When the first blocked method may be called again (None when none is blocked)."""
        now = utcnow()
        return min((until for until in self._blocked.values() if until > now), default=None)
