"""Another writer holds SQLite's only write lock: commands still answer within Slack's 3 seconds.

The replay guard writes first (and says "try again" when it cannot), so the lock here is taken
just after the guard accepted the request, while the bot is waiting on a slowed Slack call:
the moment a long import grabbing the lock between its batches would hit a command.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.coffee.profile import OPENED
from serendip.adapters.slack.coffee.router import NOT_SAVED, WORKING
from serendip.adapters.slack.views.loading import LOADING, UNAVAILABLE
from serendip_sandbox.driver import CommandResult
from tests.e2e.conftest import Sandbox, running_sandbox

pytestmark = pytest.mark.slow  # started first (tests/conftest.py), so no worker runs it alone at the end

SLACK_ACK_SECONDS = 3.0
# Long enough for the lock taker to step in once the request is accepted, short next to 3 s.
SLOW_SLACK_CALL = 0.5
# The bot's SQLite busy timeout here: 10 s in production; shorter so the tests wait less. Still
# past Slack's 3 s, so a command that waits for the lock must already have been acknowledged.
BUSY_SECONDS = 4.0
WITHIN_BUSY_TIMEOUT = 2.0  # a lock held this long is waited out and the write goes through
PAST_BUSY_TIMEOUT = BUSY_SECONDS + 1.5  # the write gives up


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """The bot on a SQLite file this test can lock from a second connection."""
    url = f"sqlite:///{tmp_path / 'slow.db'}"
    database = Database(url, busy_seconds=BUSY_SECONDS)
    with running_sandbox(url, people=12, departments=3, seed=7, database=database) as sb:
        yield sb


def _db_file(sb: Sandbox) -> Path:
    return Path(sb.bot.settings.database_url.removeprefix("sqlite:///"))


def _accepted(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM accepted_requests").fetchone()[0])


class WriteLockAfterNextRequest:
    """A second connection that takes the write lock (BEGIN IMMEDIATE) as soon as the replay guard
    has accepted the next request, holds it for ``seconds``, then rolls back."""

    def __init__(self, db_file: Path, seconds: float) -> None:
        self.db_file, self.seconds = db_file, seconds
        self.held = threading.Event()
        self.released = threading.Event()
        with sqlite3.connect(db_file) as conn:
            self._before = _accepted(conn)
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        conn = sqlite3.connect(self.db_file, timeout=5, isolation_level=None)
        try:
            give_up = time.monotonic() + 10
            while _accepted(conn) == self._before and time.monotonic() < give_up:
                time.sleep(0.005)
            conn.execute("BEGIN IMMEDIATE")
            self.held.set()
            time.sleep(self.seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()
            self.released.set()

    def __enter__(self) -> WriteLockAfterNextRequest:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(timeout=30)


def _setup(sb: Sandbox) -> None:
    result = sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel)
    assert "now a Serendip program" in result.wait_for_responses(1, timeout=20)[0]["text"]


def _make_profile_stale(sb: Sandbox, user: str) -> None:
    """The bot has not read this member from Slack lately, so the next command reads and stores it."""
    with sqlite3.connect(_db_file(sb)) as conn:
        conn.execute("UPDATE members SET profile_synced_at = NULL WHERE slack_id = ?", (user,))


def _paused(sb: Sandbox, user: str) -> bool:
    with sqlite3.connect(_db_file(sb)) as conn:
        row = conn.execute(
            "SELECT e.paused_until FROM enrolments e JOIN members m ON m.id = e.member_id WHERE m.slack_id = ?",
            (user,),
        ).fetchone()
    return row is not None and row[0] is not None


def _synced(sb: Sandbox, user: str) -> bool:
    with sqlite3.connect(_db_file(sb)) as conn:
        row = conn.execute("SELECT profile_synced_at FROM members WHERE slack_id = ?", (user,)).fetchone()
    return row is not None and row[0] is not None


def _timed_command(sb: Sandbox, user: str, text: str) -> tuple[CommandResult, float]:
    started = time.monotonic()
    result = sb.driver.slash_command(user, text, channel_id=sb.channel)
    return result, time.monotonic() - started


def _pause_under_lock(sb: Sandbox, seconds: float) -> tuple[str, CommandResult, float]:
    _setup(sb)
    user = sb.humans[2]
    _make_profile_stale(sb, user)
    sb.slack.slow_down("users.info", SLOW_SLACK_CALL)
    with WriteLockAfterNextRequest(_db_file(sb), seconds) as lock:
        result, waited = _timed_command(sb, user, "pause 2w")
        assert lock.held.is_set()
    return user, result, waited


def test_pause_while_another_writer_holds_the_lock_is_acked_in_time_and_answered_once_released(
    sandbox: Sandbox,
) -> None:
    user, result, waited = _pause_under_lock(sandbox, WITHIN_BUSY_TIMEOUT)
    assert result.status == 200 and waited < SLACK_ACK_SECONDS
    assert result.ack_text == WORKING
    answer = result.wait_for_responses(1, timeout=15)[0]
    assert "Paused until" in answer["text"]
    assert _paused(sandbox, user)


def test_pause_that_cannot_be_saved_says_so_and_leaves_nothing_half_applied(sandbox: Sandbox) -> None:
    user, result, waited = _pause_under_lock(sandbox, PAST_BUSY_TIMEOUT)
    assert result.status == 200 and waited < SLACK_ACK_SECONDS and result.ack_text == WORKING
    answer = result.wait_for_responses(1, timeout=20)[0]
    assert answer["text"] == NOT_SAVED
    # Neither the pause nor the member refresh read in the same transaction was stored.
    assert not _paused(sandbox, user) and not _synced(sandbox, user)


def _open_profile_under_lock(sb: Sandbox, user: str, seconds: float) -> WriteLockAfterNextRequest:
    """`/coffee profile` by a member the bot has never seen (so opening it stores them)."""
    sb.slack.slow_down("views.open", SLOW_SLACK_CALL)
    with WriteLockAfterNextRequest(_db_file(sb), seconds) as lock:
        result, waited = _timed_command(sb, user, "profile")
        assert result.status == 200 and waited < SLACK_ACK_SECONDS
        assert not result.body or result.text == OPENED  # past the ack deadline: "it is open"
        [loading] = sb.slack.open_modals(user)
        assert LOADING in str(loading["blocks"]) and lock.held.is_set() and not lock.released.is_set()
    return lock


def test_the_profile_modal_opens_loading_under_a_held_lock_and_is_filled_once_released(
    sandbox: Sandbox,
) -> None:
    user = sandbox.humans[1]
    _open_profile_under_lock(sandbox, user, WITHIN_BUSY_TIMEOUT)
    [modal] = sandbox.slack.wait_until(
        lambda _: [m for m in sandbox.slack.open_modals(user) if m.get("callback_id") == "profile_modal"], 15
    )
    assert sandbox.slack.count("views.update") == 1 and modal["title"]["text"] == "Your Serendip profile"


def test_the_profile_modal_says_sorry_when_the_database_stays_locked(sandbox: Sandbox) -> None:
    user = sandbox.humans[1]
    _open_profile_under_lock(sandbox, user, PAST_BUSY_TIMEOUT)
    [modal] = sandbox.slack.wait_until(
        lambda _: [m for m in sandbox.slack.open_modals(user) if UNAVAILABLE in str(m["blocks"])], 20
    )
    assert "callback_id" not in modal or modal["callback_id"] != "profile_modal"
    with sqlite3.connect(_db_file(sandbox)) as conn:
        assert conn.execute("SELECT count(*) FROM members WHERE slack_id = ?", (user,)).fetchone()[0] == 0
