"""The bot stopping while an `admin run` round is being delivered in the background: the delivery
thread ends with it and gives the round's lease up, instead of posting on after the bot is gone."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Round
from tests.e2e.conftest import running_sandbox
from tests.support.rounds import intro_posts
from tests.support.wait import eventually


def _delivery_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "admin-run-delivery"]


def test_a_stopped_bot_stops_the_delivery_its_admin_run_started_and_frees_the_round(
    database_url: str,
) -> None:
    with running_sandbox(database_url, people=24, departments=3, seed=9) as sb:
        admin = sb.humans[0]
        sb.driver.slash_command(admin, "admin setup", channel_id=sb.channel).wait_for_responses(1, 30)
        sb.slack.slow_down("chat.postMessage", 0.3)  # 12 intros: ~4 s of delivery
        sb.driver.slash_command(admin, "admin run", channel_id=sb.channel).wait_for_responses(1, 30)
        sb.slack.wait_until(lambda _: len(intro_posts(sb.slack)) >= 1, 30)
        assert _delivery_threads()
    stopped = time.monotonic()
    eventually(lambda: not _delivery_threads(), 5)
    assert time.monotonic() - stopped < 5
    assert len(intro_posts(sb.slack)) < 12, "the round finished before the bot stopped"
    database = Database(database_url)
    try:
        with database.transaction() as session:
            state, owner = session.execute(select(Round.state, Round.lease_owner)).one()
        assert (state, owner) == ("delivering", None)  # another process may take it over at once
    finally:
        database.dispose()
