"""The running bot, sent Slack's channel events out of order over signed HTTP: a leave that Slack
delivers late, after the member's newer join was handled, leaves them in the program."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from tests.e2e.conftest import Sandbox
from tests.support.enrolments import channel_standing
from tests.support.wait import eventually

pytestmark = pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)  # both: the integration test


def _event(sb: Sandbox, kind: str, user_id: str, event_ts: str) -> None:
    event = {
        "type": kind,
        "user": user_id,
        "channel": sb.channel,
        "channel_type": "C",
        "team": sb.workspace.team.id,
    }
    assert sb.driver.event({**event, "event_ts": event_ts}).status == 200


def test_a_leave_delivered_after_the_members_newer_join_leaves_them_in_the_program(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel).wait_for_responses(1, 30)
    member = sb.humans[-1]
    left_at, joined_at = sb.workspace.new_ts(), sb.workspace.new_ts()
    _event(
        sb, "member_joined_channel", member, joined_at
    )  # they left and came back; Slack sent the join first
    eventually(lambda: channel_standing(sb.bot.container.db, member)[1] is not None)
    with caplog.at_level(logging.INFO, logger="serendip.services.programs"):
        _event(sb, "member_left_channel", member, left_at)
        eventually(lambda: any("program.member_left_stale" in r.getMessage() for r in caplog.records))
    opted_out, applied = channel_standing(sb.bot.container.db, member)
    assert not opted_out
    assert applied == int(Decimal(joined_at) * 1_000_000)
