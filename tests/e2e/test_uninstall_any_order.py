"""Revocation events in any order, sent signed over HTTP to the real Bolt app, with installations
stored as the OAuth flow stores them (slack-sdk's store in Serendip's database, SLACK_CLIENT_ID
set): a workspace counts as uninstalled exactly when its last bot token is gone."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from serendip.adapters.db import installation_rows
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip.services import uninstall
from serendip_sandbox import SlackDriver, SlackEmulator, generate_workspace
from serendip_sandbox.models import JsonDict
from tests.e2e.conftest import Sandbox
from tests.support.installations import install
from tests.support.wait import eventually

INSTALLER, LATER_INSTALLER = "U0INSTALL1", "U0INSTALL2"
ORG, ORG_BOT, GRID_TEAM, GRID_TEAM_BOT = "E0GRIDORG", "U0ORGBOT", "T0GRIDTEAM", "U0TEAMBOT"
HANDLED = ("slack.installation_removed", "slack.tokens_revoked", "slack.revocation_without_scope")


@pytest.fixture
def stored(database_url: str, caplog: pytest.LogCaptureFixture) -> Iterator[Sandbox]:
    """The bot with SLACK_CLIENT_ID set (its installations in the database), one workspace installed
    twice (the bot's install, then one that left only the installer's user token)."""
    workspace = generate_workspace(6, 2, seed=31)
    with SlackEmulator(workspace) as slack:
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=database_url,
        ).model_copy(update={"slack_client_id": "1111.2222", "slack_client_secret": SecretStr("secret")})
        with LocalBot(settings) as bot, SlackDriver(bot.events_url, slack.signing_secret, slack) as driver:
            sb = Sandbox(slack, bot, driver, workspace, workspace.channel_named("coffee-chats").id)
            team = workspace.team.id
            install(bot.container.db, installer=INSTALLER, team_id=team, bot_user_id=workspace.bot.id)
            install(bot.container.db, installer=LATER_INSTALLER, team_id=team)
            caplog.set_level(logging.INFO)
            yield sb


def _send(sb: Sandbox, caplog: pytest.LogCaptureFixture, envelope: JsonDict) -> None:
    """Deliver one signed event and wait until its listener has acted (it runs after the ack)."""
    seen = _handled(caplog)
    assert sb.driver.deliver_envelope(envelope).status == 200
    eventually(lambda: _handled(caplog) > seen)


def _handled(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.getMessage().startswith(HANDLED) for r in caplog.records)


def _event(sb: Sandbox, kind: str) -> JsonDict:
    events: dict[str, JsonDict] = {
        "app_uninstalled": {"type": "app_uninstalled"},
        "bot_revoked": {"type": "tokens_revoked", "tokens": {"bot": [sb.workspace.bot.id]}},
        "user_revoked": {"type": "tokens_revoked", "tokens": {"oauth": [INSTALLER, LATER_INSTALLER]}},
    }
    return sb.driver.payloads.event_callback(events[kind])


def _org_event(sb: Sandbox, event: JsonDict, *, org_wide: bool) -> JsonDict:
    """An event of the Grid org's install (org-wide), or of the org workspace's own install."""
    envelope = sb.driver.payloads.event_callback(event)
    envelope.update(enterprise_id=ORG, team_id=GRID_TEAM, context_enterprise_id=ORG)
    envelope["authorizations"] = [
        {
            "enterprise_id": ORG,
            "team_id": None if org_wide else GRID_TEAM,
            "user_id": ORG_BOT if org_wide else GRID_TEAM_BOT,
            "is_bot": True,
            "is_enterprise_install": org_wide,
        }
    ]
    return envelope


def _rows(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) or 0 for t in installation_rows.TABLES
        }


def _marked(db: Database, scope_id: str) -> datetime | None:
    return uninstall.uninstalled_at(db, scope_id)


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(["user_revoked", "bot_revoked", "app_uninstalled"])),
    ids=lambda order: ",".join(order),
)
def test_the_workspace_is_uninstalled_by_the_first_event_that_leaves_it_no_bot_token(
    stored: Sandbox, caplog: pytest.LogCaptureFixture, order: tuple[str, ...]
) -> None:
    sb, db, team = stored, stored.bot.container.db, stored.workspace.team.id
    assert _rows(db) == {"slack_installations": 2, "slack_bots": 2}
    marked: datetime | None = None
    for kind in order:
        _send(sb, caplog, _event(sb, kind))
        if kind == "user_revoked":  # Serendip keeps no user tokens: the bot still serves
            assert _marked(db, team) == marked
            continue
        if marked is None:
            marked = _marked(db, team)
            assert marked is not None
        assert _marked(db, team) == marked  # the grace period runs from the first one
        if kind == "app_uninstalled":
            assert _rows(db) == {"slack_installations": 0, "slack_bots": 0}
        else:  # the bot's rows went; the later install left only a user token
            assert not installation_rows.StoredInstallations(db).has_bot(team)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("workspace.uninstalled")]
    assert len(lines) == 1 and f"scope={team} " in lines[0]


@pytest.mark.parametrize("org_first", [True, False], ids=["org-app-first", "team-access-first"])
def test_on_grid_a_workspace_losing_access_is_uninstalled_but_the_org_install_only_by_its_own_token(
    stored: Sandbox, caplog: pytest.LogCaptureFixture, org_first: bool
) -> None:
    sb, db = stored, stored.bot.container.db
    install(db, installer=INSTALLER, team_id=None, enterprise_id=ORG, bot_user_id=ORG_BOT)
    install(db, installer=INSTALLER, team_id=GRID_TEAM, enterprise_id=ORG, bot_user_id=GRID_TEAM_BOT)
    with db.transaction() as session:  # Serendip stored data for the org's workspace: it is known
        repo.get_or_create_workspace(session, GRID_TEAM)
    org_token = _org_event(sb, {"type": "tokens_revoked", "tokens": {"bot": [ORG_BOT]}}, org_wide=True)
    team_access = _org_event(sb, {"type": "team_access_revoked", "team_ids": [GRID_TEAM]}, org_wide=True)
    events = [org_token, team_access] if org_first else [team_access, org_token]

    _send(sb, caplog, events[0])
    assert (_marked(db, ORG) is not None) == org_first
    assert (_marked(db, GRID_TEAM) is not None) == (not org_first)
    _send(sb, caplog, events[1])
    assert _marked(db, ORG) is not None and _marked(db, GRID_TEAM) is not None
    assert _marked(db, sb.workspace.team.id) is None  # the other installed workspace is untouched
    assert installation_rows.StoredInstallations(db).has_bot(sb.workspace.team.id)


def test_an_org_app_losing_a_workspace_it_never_stored_anything_for_marks_nothing(
    stored: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sb, db = stored, stored.bot.container.db
    install(db, installer=INSTALLER, team_id=None, enterprise_id=ORG, bot_user_id=ORG_BOT)
    _send(
        sb,
        caplog,
        _org_event(sb, {"type": "team_access_revoked", "team_ids": ["T0NEVERSEEN"]}, org_wide=True),
    )
    assert _marked(db, "T0NEVERSEEN") is None and _marked(db, ORG) is None
    assert installation_rows.StoredInstallations(db).has_bot(ORG)


def test_an_org_uninstall_envelope_naming_only_the_org_removes_the_org_wide_install_only(
    stored: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sb, db = stored, stored.bot.container.db
    install(db, installer=INSTALLER, team_id=None, enterprise_id=ORG, bot_user_id=ORG_BOT)
    install(db, installer=INSTALLER, team_id=GRID_TEAM, enterprise_id=ORG, bot_user_id=GRID_TEAM_BOT)
    # As Slack sends it for an org-wide install: no team, no authorizations.
    envelope = sb.driver.payloads.event_callback({"type": "app_uninstalled"})
    del envelope["authorizations"]
    envelope.update(team_id=None, enterprise_id=ORG)
    _send(sb, caplog, envelope)
    assert _marked(db, ORG) is not None and _marked(db, GRID_TEAM) is None
    stored_installations = installation_rows.StoredInstallations(db)
    assert not stored_installations.has_bot(ORG) and stored_installations.has_bot(GRID_TEAM)
