"""`/coffee admin stats`, `export` and `config` driven as Slack drives them."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from PIL import Image

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import AuditEntry
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox
from tests.e2e.test_admin_commands import _audits, _plain, _program, _setup
from tests.support.history import build_history


@pytest.fixture
def allow_member_setup() -> bool:
    """These tests have a plain member set the program up, so the operator allows it."""
    return True


def _with_history(sb: Sandbox) -> str:
    creator = _plain(sb)[0]
    _setup(sb, creator)
    with sb.bot.container.db.transaction() as session:
        program = repo.find_program(session, sb.workspace.team.id, sb.channel)
        build_history(session, team_id=sb.workspace.team.id, program=program)
    return creator


def test_stats_shows_the_figures_and_sends_the_chart_to_the_admins_dm(sandbox: Sandbox) -> None:
    creator = _with_history(sandbox)
    result = sandbox.driver.slash_command(creator, "admin stats", channel_id=sandbox.channel)
    figures = str(result.answer_after("Crunching", timeout=30)["blocks"])
    for expected in (
        "*Rounds:* 3",
        "*Intros delivered:* 8",
        "*Meeting rate:* 50%",
        "cross-team tie yet:*",
        "best possible",
        "New cross-team ties in",
        "is in your DM",
    ):
        assert expected in figures, expected
    [upload] = sandbox.slack.uploaded_files()
    dm = sandbox.slack.workspace.dm_with(creator)
    assert dm is not None and upload.shares[0][0] == dm.id and upload.name.endswith(".png")
    image = Image.open(io.BytesIO(upload.data or b""))
    image.load()
    assert image.format == "PNG" and image.size[0] >= 800 and image.size[1] >= 600


def test_export_sends_a_csv_without_private_notes_to_the_admins_dm(sandbox: Sandbox) -> None:
    creator = _with_history(sandbox)
    result = sandbox.driver.slash_command(creator, "admin export", channel_id=sandbox.channel)
    assert "Sent a CSV with 17 rows" in result.wait_for_responses(1, timeout=30)[0]["text"]
    [upload] = sandbox.slack.uploaded_files()
    rows = list(csv.DictReader(io.StringIO((upload.data or b"").decode())))
    assert len(rows) == 17 and set(rows[0]) == {
        "round_date",
        "member_id",
        "name",
        "department",
        "intro_id",
        "outcome",
    }
    dm = sandbox.slack.workspace.dm_with(creator)
    assert dm is not None and upload.shares[0][0] == dm.id


@SQLITE_ONLY
def test_a_failed_upload_is_explained_not_a_stack_trace(sandbox: Sandbox) -> None:
    creator = _with_history(sandbox)
    sandbox.slack.inject("files.getUploadURLExternal", error_rate=1.0, status=500)
    result = sandbox.driver.slash_command(creator, "admin export", channel_id=sandbox.channel)
    answer = result.wait_for_responses(1, timeout=30)[0]["text"]
    assert "couldn't send the export" in answer and "Traceback" not in answer


def _settings_modal(sb: Sandbox, user: str) -> list[dict[str, Any]]:
    """The settings modal once filled (it opens at once with a loading view, then views.update)."""
    return sb.slack.wait_until(
        lambda _: [m for m in sb.slack.open_modals(user) if m.get("callback_id") == "admin_config"], 10
    )


@SQLITE_ONLY
def test_config_modal_shows_errors_then_saves_audits_and_announces(sandbox: Sandbox) -> None:
    creator = _plain(sandbox)[0]
    _setup(sandbox, creator)
    sandbox.driver.slash_command(creator, "admin config", channel_id=sandbox.channel)
    [modal] = _settings_modal(sandbox, creator)
    values = {
        "frequency": {"value": "biweekly"},
        "day": {"value": "thu"},
        "time": {"value": "09:15"},
        "timezone": {"value": "Europe/Berln"},
        "size": {"value": "3"},
        "mode": {"value": "strict"},
        "cooldown": {"value": "4"},
        "followup": {"value": "off"},
        "welcome": {"value": "Hi <all> & co"},
    }
    sandbox.driver.view_submission(creator, modal, values)
    errors = sandbox.slack.view_errors(modal["id"])
    assert errors is not None and "Europe/Berlin" in errors["timezone"]
    assert _audits(sandbox, "program.set") == []
    values["timezone"] = {"value": "Europe/Berlin"}
    sandbox.driver.view_submission(creator, modal, values)
    program = _program(sandbox)
    assert (program.frequency, program.weekday, program.local_time, program.timezone) == (
        "biweekly",
        3,
        "09:15",
        "Europe/Berlin",
    )
    assert (program.group_size, program.repeat_mode, program.cooldown_rounds, program.followup_enabled) == (
        3,
        "strict",
        4,
        False,
    )
    assert program.welcome_text == "Hi &lt;all&gt; &amp; co"
    changed = {a.detail["setting"] for a in _audits(sandbox, "program.set") if a.detail}
    assert changed - {"timezone"} == {
        "frequency",
        "day",
        "time",
        "size",
        "mode",
        "cooldown",
        "followup",
        "welcome",
    }
    announced = sandbox.slack.wait_for_messages(sandbox.channel, 1)[-1]["text"]
    assert "group size: pairs → trios" in announced


@SQLITE_ONLY
def test_config_submitted_by_someone_no_longer_allowed_changes_nothing(sandbox: Sandbox) -> None:
    creator, helper = _plain(sandbox)[:2]
    _setup(sandbox, creator)
    sandbox.driver.slash_command(creator, f"admin admins add <@{helper}>", channel_id=sandbox.channel)
    sandbox.driver.slash_command(helper, "admin config", channel_id=sandbox.channel)
    [modal] = _settings_modal(sandbox, helper)
    sandbox.driver.slash_command(creator, f"admin admins remove <@{helper}>", channel_id=sandbox.channel)
    sandbox.driver.view_submission(helper, modal, {"size": {"value": "5"}})
    assert _program(sandbox).group_size == 2
    with sandbox.bot.container.db.transaction() as session:
        assert session.query(AuditEntry).filter(AuditEntry.action == "program.set").count() == 0


@SQLITE_ONLY
def test_the_app_home_shows_program_health_to_its_admins_only(sandbox: Sandbox) -> None:
    creator, outsider = _plain(sandbox)[:2]
    _with_history(sandbox)
    for user in (creator, outsider):
        sandbox.driver.app_home_opened(user)
    home = sandbox.slack.wait_until(lambda _: sandbox.slack.home_view(creator), 10)
    text = str(home["blocks"])
    assert "Program health" in text and "*Intros delivered*\\n8" in text and len(home["blocks"]) <= 100
    other = sandbox.slack.wait_until(lambda _: sandbox.slack.home_view(outsider), 10)
    assert "Program health" not in str(other["blocks"])
