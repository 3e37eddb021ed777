"""Waiting for something the bot does in the background (its database, not the emulator's state)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database

T = TypeVar("T")


def eventually(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Poll ``predicate`` until it is truthy and return it; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def left_program(db: Database, team_id: str, channel_id: str, user_id: str, timeout: float = 10.0) -> None:
    """Wait until the bot has opted ``user_id`` out of the channel's program. Slack events are
    handled after their ack, each on its own thread: a join sent right after a leave could otherwise
    be read before the leave is stored."""

    def out() -> bool:
        with db.transaction() as session:
            program = repo.find_program(session, team_id, channel_id)
            member = repo.find_member(session, team_id, user_id)
            enrolment = repo.find_enrolment(session, program.id, member.id) if program and member else None
            return enrolment is not None and enrolment.opted_out

    eventually(out, timeout)
