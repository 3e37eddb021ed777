"""Uninstall, then the purge by a real `serendip worker` process in OAuth mode: two workspaces run
programs, one is uninstalled through Slack's event, and the worker (SERENDIP_UNINSTALL_GRACE_DAYS=0)
deletes all of that workspace's rows and logs the counts, leaving the other workspace untouched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from serendip.adapters.db.models import Member, Program
from serendip.adapters.db.models import Workspace as WorkspaceRow
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip.services import uninstall
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.drivers import person_driver
from tests.support.installs import install, installations_on, oauth_settings
from tests.support.wait import eventually

SERENDIP = str(Path(sys.executable).with_name("serendip"))


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    """Two workspaces; only OAuth installs give the bot their tokens."""
    with SlackEmulator(generate_workspace(6, 2, seed=51)) as emulator:
        emulator.add_workspace(generate_workspace(6, 2, seed=52), installed=False)
        yield emulator


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker(
    slack: SlackEmulator, database_url: str, tmp_path: Path, *, token_mode: bool = False
) -> tuple[subprocess.Popen[str], Path]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "SERENDIP_"))}
    mode = (
        {"SLACK_BOT_TOKEN": slack.bot_token}
        if token_mode
        else {"SLACK_CLIENT_ID": slack.client_id, "SLACK_CLIENT_SECRET": slack.client_secret}
    )
    env |= mode | {
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "SERENDIP_UNINSTALL_GRACE_DAYS": "0",
        "SERENDIP_LOG_LEVEL": "INFO",
        "SERENDIP_PORT": str(_free_port()),
    }
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [SERENDIP, "worker", "--tick-seconds", "0.5"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, log_path


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _rows(bot: LocalBot, scope_id: str) -> tuple[int, int, int]:
    """The workspace row, programs and members stored under one scope."""
    with bot.container.db.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(WorkspaceRow).where(WorkspaceRow.id == scope_id))
            or 0,
            session.scalar(select(func.count()).select_from(Program).where(Program.workspace_id == scope_id))
            or 0,
            session.scalar(select(func.count()).select_from(Member).where(Member.workspace_id == scope_id))
            or 0,
        )


def test_the_worker_deletes_an_uninstalled_workspace_after_the_grace_period_and_keeps_the_other(
    slack: SlackEmulator, database_url: str, tmp_path: Path
) -> None:
    kept, gone = (ws.team.id for ws in slack.workspaces)
    with LocalBot(oauth_settings(slack, database_url)) as bot:
        stores = installations_on(bot.container.db, slack)
        with person_driver(bot.events_url, slack) as driver:
            for team, ws in zip((kept, gone), slack.workspaces, strict=True):
                install(stores, slack, team)
                admin = next(u.id for u in ws.humans() if u.is_admin and not u.is_restricted)
                answer = driver.for_team(team).slash_command(
                    admin, "admin setup", channel_id=ws.channel_named("coffee-chats").id
                )
                assert "now a Serendip program" in str(answer.wait_for_responses(1, 30)[0])
            before = _rows(bot, kept)
            assert before[1] == 1 and before[2] > 0 and _rows(bot, gone)[1:] == (1, before[2])
            assert driver.for_team(gone).app_uninstalled().status == 200
            eventually(lambda: uninstall.uninstalled_at(bot.container.db, gone) is not None)
            left = _rows(bot, gone)
            assert left[1] == 1  # nothing is deleted before the worker's pass

        worker, log_path = _worker(slack, database_url, tmp_path)
        try:
            eventually(lambda: _rows(bot, gone) == (0, 0, 0), timeout=60)
            purged = eventually(
                lambda: [ln for ln in log_path.read_text().splitlines() if "workspace.purged" in ln],
                timeout=30,
            )
        finally:
            _stop(worker)
        after = _rows(bot, kept)
    # The kept workspace keeps its program and people (its directory sync may add more of them).
    assert after[:2] == before[:2] and after[2] >= before[2]
    assert len(purged) == 1 and f"scope={gone} " in purged[0] and "programs=1 " in purged[0]
    assert f"members={left[2]} " in purged[0]


def test_a_worker_started_after_the_uninstall_in_token_mode_still_purges_the_workspace(
    slack: SlackEmulator, database_url: str, tmp_path: Path
) -> None:
    # Single-workspace mode: the uninstall revoked SLACK_BOT_TOKEN, so auth.test refuses it at the
    # worker's start. The worker used to exit there, and nothing deleted the data; it now runs the
    # purge alone, and says so.
    ws = slack.workspaces[0]
    team = ws.team.id
    with LocalBot(
        sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=database_url,
        )
    ) as bot:
        with person_driver(bot.events_url, slack) as driver:
            admin = next(u.id for u in ws.humans() if u.is_admin and not u.is_restricted)
            answer = driver.slash_command(
                admin, "admin setup", channel_id=ws.channel_named("coffee-chats").id
            )
            assert "now a Serendip program" in str(answer.wait_for_responses(1, 30)[0])
            assert _rows(bot, team)[1] == 1
            assert all(result.status == 200 for result in driver.uninstall())
            eventually(lambda: uninstall.uninstalled_at(bot.container.db, team) is not None)
        worker, log_path = _worker(slack, database_url, tmp_path, token_mode=True)
        try:
            eventually(lambda: _rows(bot, team) == (0, 0, 0), timeout=60)
            lines = eventually(
                lambda: [ln for ln in log_path.read_text().splitlines() if "workspace.purged" in ln],
                timeout=30,
            )
            assert worker.poll() is None  # still running: it purges daily
        finally:
            _stop(worker)
    output = log_path.read_text()
    assert "startup.token_refused reason=token_revoked uninstalled_workspaces=1 mode=purge_only" in output
    assert len(lines) == 1 and f"scope={team} " in lines[0] and "scheduler.tick" not in output
    assert slack.bot_token not in output
