"""Program administration driven as Slack drives it: permissions, settings, audit, announcements."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import AuditEntry, Program, ProgramAdmin, Round
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox

ADMIN_COMMANDS = [
    "admin setup",
    "admin config",
    "admin pause",
    "admin resume",
    "admin preview",
    "admin preview names",
    "admin run",
    "admin stats",
    "admin export",
    "admin set frequency monthly",
    "admin set day fri",
    "admin set time 15:30",
    "admin set timezone Asia/Tokyo",
    "admin set size 3",
    "admin set mode strict",
    "admin set cooldown 2",
    "admin set followup off",
    "admin set welcome Hello there",
    "admin admins add <@{other}>",
    "admin admins remove <@{creator}>",
]


@pytest.fixture
def allow_member_setup() -> bool:
    """These tests have a plain member set the program up, so the operator allows it."""
    return True


def _plain(sb: Sandbox) -> list[str]:
    """Active humans who are neither workspace admins nor owners."""
    return [u for u in sb.humans if not (sb.workspace.user(u).is_admin or sb.workspace.user(u).is_owner)]


def _setup(sb: Sandbox, user: str) -> None:
    result = sb.driver.slash_command(user, "admin setup", channel_id=sb.channel)
    assert "now a Serendip program" in result.wait_for_responses(1, timeout=20)[0]["text"]


def _program(sb: Sandbox) -> Program:
    with sb.bot.container.db.transaction() as session:
        program = repo.find_program(session, sb.workspace.team.id, sb.channel)
        assert program is not None
        session.expunge(program)
        return program


def _snapshot(sb: Sandbox) -> dict[str, Any]:
    with sb.bot.container.db.transaction() as session:
        program = repo.find_program(session, sb.workspace.team.id, sb.channel)
        assert program is not None
        columns = {c.key: getattr(program, c.key) for c in Program.__table__.columns}
        return {
            "program": columns,
            "admins": sorted(session.scalars(select(ProgramAdmin.slack_id))),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
            "rounds": session.scalar(select(func.count()).select_from(Round)),
            "channel": len(sb.slack.messages(sb.channel)),
            "files": len(sb.slack.uploaded_files()),
            "modals": len(sb.slack.open_modals()),
        }


def _audits(sb: Sandbox, action: str) -> list[AuditEntry]:
    with sb.bot.container.db.transaction() as session:
        rows = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )
        session.expunge_all()
        return rows


@SQLITE_ONLY
def test_every_admin_command_is_refused_for_a_non_admin_and_changes_nothing(sandbox: Sandbox) -> None:
    creator, outsider, other = _plain(sandbox)[:3]
    _setup(sandbox, creator)
    before = _snapshot(sandbox)
    for text in ADMIN_COMMANDS:
        result = sandbox.driver.slash_command(
            outsider, text.format(other=other, creator=creator), channel_id=sandbox.channel
        )
        assert result.status == 200 and result.json["response_type"] == "ephemeral", text
        assert "Only this program's admins" in result.text and "Nothing was changed" in result.text, text
        assert _snapshot(sandbox) == before, text


@SQLITE_ONLY
def test_admin_commands_outside_a_program_channel_say_where_to_run_them(sandbox: Sandbox) -> None:
    creator = _plain(sandbox)[0]
    _setup(sandbox, creator)
    for text in ("admin stats", "admin set size 3", "admin pause", "admin run"):
        result = sandbox.driver.slash_command(creator, text)
        assert "work in a program's channel" in result.text, text


def test_set_is_audited_rescheduled_and_announced(sandbox: Sandbox) -> None:
    creator = _plain(sandbox)[0]
    _setup(sandbox, creator)
    before = _program(sandbox)
    result = sandbox.driver.slash_command(creator, "admin set day fri", channel_id=sandbox.channel)
    assert "day: Monday → Friday" in result.text and "Next round" in result.text
    after = _program(sandbox)
    assert after.weekday == 4 and after.next_run_at is not None and after.next_run_at != before.next_run_at
    assert after.next_run_at.astimezone(ZoneInfo(after.timezone)).weekday() == 4
    [audit] = _audits(sandbox, "program.set")
    assert (audit.actor, audit.detail) == (creator, {"setting": "day", "old": 0, "new": 4})
    assert audit.created_at.tzinfo is not None and audit.program_id == after.id
    announced = sandbox.slack.wait_for_messages(sandbox.channel, 1)
    name = sandbox.workspace.user(creator).real_name
    assert (
        announced[-1]["text"].startswith(f"{name} updated this program") and "<@" not in announced[-1]["text"]
    )
    assert f"<@{creator}>" in str(announced[-1]["blocks"]) and "Monday → Friday" in announced[-1]["text"]


def test_every_setting_changes_with_one_audit_row_each(sandbox: Sandbox) -> None:
    creator = _plain(sandbox)[0]
    _setup(sandbox, creator)
    changes = {
        "frequency monthly": ("frequency", "monthly"),
        "day wed": ("weekday", 2),
        "time 15:30": ("local_time", "15:30"),
        "timezone asia/tokyo": ("timezone", "Asia/Tokyo"),
        "size 3": ("group_size", 3),
        "mode strict": ("repeat_mode", "strict"),
        "cooldown 2": ("cooldown_rounds", 2),
        "followup off": ("followup_enabled", False),
        "welcome Hi &lt;team&gt; &amp; <@U123|x>": ("welcome_text", "Hi &lt;team&gt; &amp; <@U123|x>"),
    }
    for text, (column, value) in changes.items():
        result = sandbox.driver.slash_command(creator, f"admin set {text}", channel_id=sandbox.channel)
        assert "Done" in result.text, text
        assert getattr(_program(sandbox), column) == value, text
    program = _program(sandbox)
    local = program.next_run_at.astimezone(ZoneInfo("Asia/Tokyo")) if program.next_run_at else None
    assert local is not None and (local.weekday(), local.hour, local.minute, local.day <= 7) == (
        2,
        15,
        30,
        True,
    )
    assert len(_audits(sandbox, "program.set")) == len(changes)
    again = sandbox.driver.slash_command(creator, "admin set size 3", channel_id=sandbox.channel)
    assert "already trios" in again.text and len(_audits(sandbox, "program.set")) == len(changes)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("size 9", "2 to 6"),
        ("day someday", "mon"),
        ("time 25:00", "10:00"),
        ("mode random", "prefer"),
        ("cooldown 99", "0 to 52"),
        ("frequency daily", "biweekly"),
        ("timezone Europe/Berln", "Europe/Berlin"),
    ],
)
def test_bad_values_show_the_allowed_ones_and_change_nothing(
    sandbox: Sandbox, text: str, allowed: str
) -> None:
    creator = _plain(sandbox)[0]
    _setup(sandbox, creator)
    result = sandbox.driver.slash_command(creator, f"admin set {text}", channel_id=sandbox.channel)
    assert allowed in str(result.json["blocks"])
    assert _audits(sandbox, "program.set") == []


@SQLITE_ONLY
def test_workspace_admins_owners_and_named_admins_are_allowed(sandbox: Sandbox) -> None:
    creator, helper = _plain(sandbox)[:2]
    owner = next(u for u in sandbox.humans if sandbox.workspace.user(u).is_owner)
    admin = next(u for u in sandbox.humans if sandbox.workspace.user(u).is_admin and u != owner)
    _setup(sandbox, creator)
    assert "Done" in sandbox.driver.slash_command(owner, "admin set size 3", channel_id=sandbox.channel).text
    assert "Done" in sandbox.driver.slash_command(admin, "admin set size 4", channel_id=sandbox.channel).text
    refused = sandbox.driver.slash_command(helper, "admin pause", channel_id=sandbox.channel)
    assert "Only this program's admins" in refused.text
    added = sandbox.driver.slash_command(creator, f"admin admins add <@{helper}>", channel_id=sandbox.channel)
    assert "is now a program admin" in added.text
    assert (
        "rounds paused"
        in sandbox.driver.slash_command(helper, "admin pause", channel_id=sandbox.channel).text
    )
    assert _program(sandbox).is_paused
    removed = sandbox.driver.slash_command(
        owner, f"admin admins remove <@{helper}>", channel_id=sandbox.channel
    )
    assert "is no longer a program admin" in removed.text
    again = sandbox.driver.slash_command(helper, "admin resume", channel_id=sandbox.channel)
    assert "Only this program's admins" in again.text and _program(sandbox).is_paused
    assert [a.detail for a in _audits(sandbox, "program.admin_add")] == [{"user": helper}]
    assert [a.actor for a in _audits(sandbox, "program.admin_remove")] == [owner]


@SQLITE_ONLY
def test_a_demoted_workspace_admin_loses_access_at_once(sandbox: Sandbox) -> None:
    creator = _plain(sandbox)[0]
    admin = next(
        u
        for u in sandbox.humans
        if sandbox.workspace.user(u).is_admin and not sandbox.workspace.user(u).is_owner
    )
    _setup(sandbox, creator)
    assert "Done" in sandbox.driver.slash_command(admin, "admin set size 3", channel_id=sandbox.channel).text
    sandbox.workspace.user(admin).is_admin = False
    refused = sandbox.driver.slash_command(admin, "admin set size 4", channel_id=sandbox.channel)
    assert "Only this program's admins" in refused.text and _program(sandbox).group_size == 3


def test_pause_and_resume_are_audited_and_resume_reschedules(sandbox: Sandbox) -> None:
    creator = _plain(sandbox)[0]
    _setup(sandbox, creator)
    paused = sandbox.driver.slash_command(creator, "admin pause", channel_id=sandbox.channel)
    assert "rounds paused" in paused.text and "admin resume" in paused.text
    assert (
        "already paused"
        in sandbox.driver.slash_command(creator, "admin pause", channel_id=sandbox.channel).text
    )
    resumed = sandbox.driver.slash_command(creator, "admin resume", channel_id=sandbox.channel)
    assert "rounds resumed" in resumed.text
    program = _program(sandbox)
    assert not program.is_paused and program.next_run_at is not None
    assert program.next_run_at.tzinfo is not None and program.next_run_at > program.created_at.astimezone(UTC)
    assert [a.detail for a in _audits(sandbox, "program.pause")] == [{"old": False, "new": True}]
    assert len(_audits(sandbox, "program.resume")) == 1
    texts = [m["text"] for m in sandbox.slack.wait_for_messages(sandbox.channel, 2)]
    assert any("rounds paused" in t for t in texts) and any("rounds resumed" in t for t in texts)


@SQLITE_ONLY
def test_naming_an_unknown_person_as_admin_is_explained_and_changes_nothing(sandbox: Sandbox) -> None:
    creator = _plain(sandbox)[0]
    _setup(sandbox, creator)
    result = sandbox.driver.slash_command(
        creator, "admin admins add <@U0NOBODY1>", channel_id=sandbox.channel
    )
    assert "can't find one of those people" in result.text
    assert _audits(sandbox, "program.admin_add") == []
