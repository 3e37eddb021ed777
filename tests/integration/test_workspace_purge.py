"""The purge of an uninstalled workspace deletes exactly its rows, after the grace period only.

Checked by an independent recount over the live schema (every table the inspector lists, every
column rendered as text, by raw SQL), never by the purge's own counts: a table added later is
searched too without anyone remembering to add it here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, text

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.installation_rows import StoredInstallations
from serendip.adapters.db.models import Member, Program
from serendip.adapters.db.types import utcnow
from serendip.services import revocation, uninstall, workspace_purge
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.installations import install
from tests.support.workspace_data import WorkspaceData, fill_workspace

# Rows of the deployment, not of a workspace: a workspace's activity may add to them.
DEPLOYMENT_TABLES = {"alembic_version", "app_secrets", "accepted_requests", "slack_oauth_states"}


@pytest.fixture
def kept_slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=21)) as emulator:
        yield emulator


@pytest.fixture
def gone_slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=22)) as emulator:
        yield emulator


def _as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _everything(database: Database) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table in the database, each value as text, in a stable order."""
    tables = inspect(database.engine).get_table_names()
    assert {"workspaces", "members", "audit_log", "do_not_enrol"} <= set(tables)
    with database.engine.connect() as conn:
        return {
            table: sorted(
                tuple("" if v is None else _as_text(v) for v in row)
                for row in conn.execute(text(f'SELECT * FROM "{table}"'))
            )
            for table in tables
        }


def _counts(rows: dict[str, list[tuple[str, ...]]]) -> dict[str, int]:
    return {table: len(found) for table, found in rows.items()}


def _naming(rows: dict[str, list[tuple[str, ...]]], data: WorkspaceData) -> dict[str, int]:
    """Per table, the rows holding the scope id or one of its people's Slack ids in any column."""
    needles = [data.scope_id, *data.slack_ids]
    hits = {
        table: sum(any(needle in value for value in row for needle in needles) for row in found)
        for table, found in rows.items()
    }
    return {table: count for table, count in hits.items() if count}


def test_the_purge_deletes_every_row_of_the_uninstalled_workspace_and_nothing_of_another(
    database: Database, kept_slack: SlackEmulator, gone_slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    kept = fill_workspace(database, kept_slack)
    before = _everything(database)
    gone = fill_workspace(database, gone_slack)
    assert kept.scope_id != gone.scope_id and not kept.slack_ids & gone.slack_ids
    filled = _everything(database)
    # The data reaches every table of a workspace, so the purge is checked on each of them.
    grown = {t for t in filled if len(filled[t]) > len(before[t])}
    assert grown == set(filled) - DEPLOYMENT_TABLES, set(filled) - DEPLOYMENT_TABLES - grown
    named = _naming(filled, gone)
    assert {"workspaces", "members", "programs", "program_admins", "audit_log", "expert_asks"} <= set(named)
    assert {"departments", "do_not_enrol", "slack_call_budgets", "directory_sync_progress"} <= set(named)
    assert {"slack_installations", "slack_bots"} <= set(named)

    # Its bot token revoked: the installation goes at once, the installer's user token stays behind.
    bot_gone = revocation.Installed(None, gone.scope_id)
    assert revocation.tokens_revoked(
        database, StoredInstallations(database), bot_gone, bot_user_ids=[gone.bot_user_id]
    )
    revoked = _everything(database)
    assert len(revoked["slack_bots"]) == len(filled["slack_bots"]) - 1
    later = utcnow() + timedelta(days=30, seconds=1)
    with caplog.at_level(logging.INFO, logger="serendip.services.workspace_purge"):
        purged = workspace_purge.purge_uninstalled(database, grace_days=30, now=later)

    after = _everything(database)
    assert _naming(after, gone) == {}
    assert after == before  # the other workspace, and the deployment's rows, exactly as they were
    assert [p.scope_id for p in purged] == [gone.scope_id]
    recount = {t: len(revoked[t]) - len(after[t]) for t in revoked}
    assert {t: n for t, n in recount.items() if n} == {t: n for t, n in purged[0].rows.items() if n}
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("workspace.purged")]
    assert len(lines) == 1 and f"scope={gone.scope_id} " in lines[0]
    assert (
        f"members={recount['members']} programs=1 " in lines[0] and f"intros={recount['intros']}" in lines[0]
    )
    assert not any(slack_id in lines[0] for slack_id in gone.slack_ids)


def test_a_workspace_reinstalled_within_the_grace_period_keeps_everything(
    database: Database, gone_slack: SlackEmulator
) -> None:
    data = fill_workspace(database, gone_slack)
    before = _everything(database)
    start = utcnow() - timedelta(days=40)
    uninstall.mark_uninstalled(database, data.scope_id, at=start)
    uninstall.mark_reinstalled(database, data.scope_id)
    assert workspace_purge.purge_uninstalled(database, grace_days=30) == []
    assert _everything(database) == before


def _small_workspace(database: Database, scope_id: str) -> None:
    with database.transaction() as session:
        repo.get_or_create_workspace(session, scope_id)
        session.add_all(
            [
                Member(workspace_id=scope_id, slack_id="U0SMALL01"),
                Program(workspace_id=scope_id, channel_id="C0SMALL"),
            ]
        )


@pytest.mark.parametrize(
    ("grace_days", "since_uninstall", "purged"),
    [
        (30, timedelta(days=30), True),
        (30, timedelta(days=30) - timedelta(seconds=1), False),
        (30, timedelta(days=400), True),
        (0, timedelta(0), True),
        (0, -timedelta(seconds=1), False),
    ],
    ids=["exactly-at-grace", "one-second-before", "long-after", "grace-0-at-once", "grace-0-not-before"],
)
def test_the_purge_runs_from_exactly_the_grace_period_after_the_uninstall(
    database: Database, grace_days: int, since_uninstall: timedelta, purged: bool
) -> None:
    _small_workspace(database, "T0SMALL")
    at = utcnow() - timedelta(days=1)
    uninstall.mark_uninstalled(database, "T0SMALL", at=at)
    done = workspace_purge.purge_uninstalled(database, grace_days=grace_days, now=at + since_uninstall)
    assert [p.scope_id for p in done] == (["T0SMALL"] if purged else [])
    counts = _counts(_everything(database))
    assert (counts["workspaces"], counts["members"], counts["programs"]) == (
        (0, 0, 0) if purged else (1, 1, 1)
    )


def test_an_installed_workspace_is_never_purged(database: Database) -> None:
    _small_workspace(database, "T0SMALL")
    assert workspace_purge.purge_uninstalled(database, grace_days=0, now=utcnow() + timedelta(days=999)) == []
    assert _counts(_everything(database))["members"] == 1


def test_a_workspace_with_a_bot_token_stored_again_is_not_purged_and_counts_as_installed(
    database: Database,
) -> None:
    _small_workspace(database, "T0SMALL")
    uninstall.mark_uninstalled(database, "T0SMALL", at=utcnow() - timedelta(days=31))
    # Reinstalled through OAuth, but the process stopped before it cleared the mark.
    install(database, installer="U0SMALL01", team_id="T0SMALL", bot_user_id="U0BOT")
    before = _everything(database)
    assert workspace_purge.purge_uninstalled(database, grace_days=30) == []
    assert uninstall.uninstalled_at(database, "T0SMALL") is None
    after = _everything(database)
    assert {t: rows for t, rows in after.items() if t != "workspaces"} == {
        t: rows for t, rows in before.items() if t != "workspaces"
    }
