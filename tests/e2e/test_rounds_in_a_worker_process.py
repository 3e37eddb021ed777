"""`/coffee admin preview` and `admin run` plan in a worker process for a large program (here: any)."""

from __future__ import annotations

import logging

import pytest

from serendip.services.lifecycle.plan_worker import Planner
from tests.e2e.conftest import Sandbox
from tests.support.admin_run import admin_run, first_round, rounds, set_up


def test_admin_preview_and_admin_run_planned_in_a_worker_process_send_the_previewed_round(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="serendip")
    sb = sandbox
    sb.bot.container.planner = Planner(worker_from=0)  # every program counts as large
    admin = set_up(sb)
    preview = sb.driver.slash_command(admin, "admin preview names", channel_id=sb.channel)
    shown = str(preview.wait_for_responses(1, 60)[0])
    first_round(sb, admin)
    assert rounds(sb) == 1
    for conversation in sb.slack.group_dms():
        if sb.slack.messages(conversation.id):
            people = [u for u in conversation.members if u != sb.workspace.bot.id]
            assert all(sb.workspace.user(u).real_name in shown or u in shown for u in people)
    workers = [r.getMessage() for r in caplog.records if "_worker program_id=" in r.getMessage()]
    assert [m.split()[0] for m in workers] == ["round.preview_worker", "round.plan_worker"]
    assert all(" exit=0 " in m for m in workers)
    assert admin_run(sb, admin).json["response_type"] == "ephemeral"  # asks: a round just began
