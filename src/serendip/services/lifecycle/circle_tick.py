"""The circles' part of the scheduler's tick: seasons end and votes settle before any next season
forms; meetings are nudged and new group DMs posted after the rounds' own work.

A failing step is logged and left for the next tick; it never stops the rounds of other programs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from serendip.adapters.db.engine import Database
from serendip.services.lifecycle import circle_dms, circle_nudges, season_close
from serendip.services.lifecycle.results import TickReport
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

Publishers = Callable[[str], IntroPublisher]


def once_per_scope(publisher_for: Publishers) -> Publishers:
    """One publisher per installation for the whole pass (OAuth mode builds a client for each)."""
    made: dict[str, IntroPublisher] = {}

    def publisher(scope_id: str) -> IntroPublisher:
        if scope_id not in made:
            made[scope_id] = publisher_for(scope_id)
        return made[scope_id]

    return publisher


def before_rounds(db: Database, publisher_for: Publishers, now: datetime, report: TickReport) -> None:
    """Close ended seasons (closing messages and votes) and settle closed votes."""
    publisher_for = once_per_scope(publisher_for)
    report.season_closings += _step("season_close", season_close.close_due_seasons, db, publisher_for, now)
    report.votes_settled += _step("vote_settle", season_close.settle_due_votes, db, publisher_for, now)


def after_rounds(db: Database, publisher_for: Publishers, now: datetime, report: TickReport) -> None:
    """Nudge due meetings and post new group DMs still waiting."""
    publisher_for = once_per_scope(publisher_for)
    report.nudges += _step("nudges", circle_nudges.send_due_nudges, db, publisher_for, now)
    report.circle_cards += _step("cards", circle_dms.deliver_pending_cards, db, publisher_for, now)


def _step(
    name: str,
    run: Callable[[Database, Publishers, datetime], int],
    db: Database,
    publishers: Publishers,
    now: datetime,
) -> int:
    try:
        return run(db, publishers, now)
    except Exception as exc:
        log.error("circles.tick_failed step=%s error=%s", name, type(exc).__name__, exc_info=exc)
        return 0
