"""Uninstall events in single-workspace token mode, sent signed over HTTP to the real bot: the
workspace is marked uninstalled by whichever revokes the bot first, once; its rounds stop."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from serendip.adapters.db import lifecycle_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.adapters.db.types import utcnow
from serendip.entrypoints.local_bot import sandbox_settings
from serendip.entrypoints.processes import prepare
from serendip.services import uninstall
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.e2e.conftest import Sandbox
from tests.support.wait import eventually


def _program_due(sb: Sandbox) -> int:
    answer = sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel)
    assert "now a Serendip program" in str(answer.wait_for_responses(1, timeout=20)[0])
    with sb.bot.container.db.transaction() as session:
        session.execute(update(Program).values(next_run_at=utcnow() - timedelta(minutes=1)))
    return _due(sb)[0]


def _due(sb: Sandbox) -> list[int]:
    with sb.bot.container.db.transaction() as session:
        return [row[0] for row in lifecycle_store.due_programs(session, utcnow())]


def _marked(sb: Sandbox) -> datetime | None:
    return uninstall.uninstalled_at(sb.bot.container.db, sb.workspace.team.id)


@pytest.mark.parametrize("first", ["app_uninstalled", "tokens_revoked"])
def test_whichever_revocation_comes_first_stops_the_rounds_and_the_other_changes_nothing(
    sandbox: Sandbox, first: str, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    _program_due(sb)
    first_event = sb.driver.app_uninstalled if first == "app_uninstalled" else sb.driver.tokens_revoked
    second_event = sb.driver.tokens_revoked if first == "app_uninstalled" else sb.driver.app_uninstalled
    with caplog.at_level(logging.INFO):
        assert first_event().status == 200  # Slack revokes the token, then sends the event
        marked = eventually(lambda: _marked(sb))
        assert _due(sb) == []
        assert second_event().status == 200
        eventually(lambda: sum("slack.installation_removed" in r.getMessage() for r in caplog.records) == 2)
    assert _marked(sb) == marked  # the grace period runs from the first revocation
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("workspace.uninstalled")]
    assert lines == [
        f"workspace.uninstalled scope={sb.workspace.team.id} cause={first} at={marked.isoformat()}"
    ]


def test_both_events_at_once_mark_the_workspace_once(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    with caplog.at_level(logging.INFO):
        sb.driver.uninstall()  # tokens_revoked and app_uninstalled back to back, handled concurrently
        eventually(lambda: sum("slack.installation_removed" in r.getMessage() for r in caplog.records) == 2)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("workspace.uninstalled")]
    assert len(lines) == 1 and _marked(sb) is not None


def test_a_revoked_user_token_leaves_the_workspace_installed(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    program_id = _program_due(sb)
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [sb.humans[0]], "bot": []}}
    with caplog.at_level(logging.INFO):  # a person's token, not the bot's: nothing is revoked in Slack
        assert sb.driver.event(revoked).status == 200
        eventually(lambda: any("slack.tokens_revoked" in r.getMessage() for r in caplog.records))
    assert _marked(sb) is None and _due(sb) == [program_id]


def test_a_reinstall_lets_the_rounds_run_again(sandbox: Sandbox) -> None:
    sb = sandbox
    program_id = _program_due(sb)
    sb.driver.app_uninstalled()
    eventually(lambda: _marked(sb))
    assert uninstall.mark_reinstalled(sb.bot.container.db, sb.workspace.team.id)
    assert _due(sb) == [program_id]


def test_a_process_started_with_a_working_bot_token_counts_as_a_reinstall(database_url: str) -> None:
    with SlackEmulator(generate_workspace(4, 2, seed=9)) as slack:
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=database_url,
        )
        database = Database(database_url)
        try:
            uninstall.mark_uninstalled(database, slack.workspace.team.id)
            container = prepare(settings)
            if container.first_read is not None:
                container.first_read.stop()
            container.db.dispose()
            assert uninstall.uninstalled_at(database, slack.workspace.team.id) is None
        finally:
            database.dispose()
