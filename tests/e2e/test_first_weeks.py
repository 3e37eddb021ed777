"""A new program's first weeks through the running bot: preview = what is sent, run, setup, zones."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Enrolment, Member, Program, Round
from serendip.adapters.slack.views.blocks import local_time
from serendip.domain.schedule import WEEKDAYS
from serendip_sandbox.driver import HttpResult
from tests.e2e.conftest import Sandbox
from tests.support.rounds import intro_posts
from tests.support.wait import eventually

MENTION = re.compile(r"<@([A-Z0-9]+)>")
Groups = set[frozenset[str]]


@pytest.fixture
def allow_member_setup() -> bool:
    """These tests have a plain member set the program up, so the operator allows it."""
    return True


def _admin(sb: Sandbox) -> str:
    """A plain member (not a workspace admin) who sets the program up and so administers it."""
    return next(u for u in sb.humans if not (sb.workspace.user(u).is_admin or sb.workspace.user(u).is_owner))


def _setup(sb: Sandbox, user: str) -> str:
    result = sb.driver.slash_command(user, "admin setup", channel_id=sb.channel)
    text: str = result.wait_for_responses(1, timeout=30)[0]["text"]
    assert "now a Serendip program" in text
    _wait_for_first_profile_reads(sb)
    return text


def _wait_for_first_profile_reads(sb: Sandbox) -> None:
    """The background first reads store departments; a department change rightly changes the groups."""

    def unread() -> int:
        with sb.bot.container.db.transaction() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Member)
                    .join(Enrolment, Enrolment.member_id == Member.id)
                    .where(Member.department_synced_at.is_(None))
                )
                or 0
            )

    eventually(lambda: unread() == 0, timeout=20)


def _program(sb: Sandbox) -> Program:
    with sb.bot.container.db.transaction() as session:
        program = repo.find_program(session, sb.workspace.team.id, sb.channel)
        assert program is not None
        session.expunge(program)
        return program


def _command(sb: Sandbox, user: str, text: str) -> HttpResult:
    return sb.driver.slash_command(user, text, channel_id=sb.channel)


def _preview(sb: Sandbox, user: str) -> dict[str, Any]:
    """`admin preview names` as its answer through the response_url (the ack only says it is working)."""
    reply: dict[str, Any] = _command(sb, user, "admin preview names").wait_for_responses(1, 60)[0]
    return reply


def _said(reply: dict[str, Any]) -> str:
    """Everything an ephemeral reply shows: its text and the text of its blocks."""
    return "\n".join([reply["text"], *(str(b.get("text", {}).get("text", "")) for b in reply["blocks"])])


def _previewed(reply: dict[str, Any]) -> Groups:
    """The groups listed by `admin preview names` (one bullet line of mentions per group)."""
    lines = [
        line
        for block in reply["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
        if line.startswith("• ")
    ]
    return {frozenset(MENTION.findall(line)) for line in lines}


def _sent(sb: Sandbox, count: int) -> Groups:
    """The members of the intro group DMs Slack received, once all ``count`` intros are posted."""
    sb.slack.wait_until(lambda _: len(intro_posts(sb.slack)) == count, 60)
    bot = sb.workspace.bot.id
    return {
        frozenset(u for u in c.members if u != bot)
        for c in sb.slack.group_dms()
        if any((m.get("metadata") or {}).get("event_payload") for m in sb.slack.messages(c.id))
    }


def _rounds(sb: Sandbox) -> int:
    with sb.bot.container.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Round)) or 0)


def _run(sb: Sandbox, user: str) -> str:
    reply: dict[str, Any] = _command(sb, user, "admin run").wait_for_responses(1, 60)[0]
    return str(reply["text"])


def test_admin_run_sends_exactly_the_groups_the_preview_showed(sandbox: Sandbox) -> None:
    sb, admin = sandbox, _admin(sandbox)
    _setup(sb, admin)
    first = _previewed(_preview(sb, admin))
    again = _preview(sb, admin)
    assert _previewed(again) == first and "Membership changed" not in _said(again)
    assert len(first) >= 2 and sb.slack.count("conversations.open") == 0
    assert "Round started" in _run(sb, admin)
    assert _sent(sb, len(first)) == first


def _enrolled(sb: Sandbox, user: str) -> bool:
    with sb.bot.container.db.transaction() as session:
        member = repo.find_member(session, sb.workspace.team.id, user)
        enrolment = repo.find_enrolment(session, _program(sb).id, member.id) if member else None
        return enrolment is not None and not enrolment.opted_out


def test_a_membership_change_makes_a_new_draw_and_the_preview_says_so(sandbox: Sandbox) -> None:
    sb, admin = sandbox, _admin(sandbox)
    _setup(sb, admin)
    before = _previewed(_preview(sb, admin))
    leaver = next(u for group in before for u in group if u != admin)
    sb.driver.member_left_channel(leaver, sb.channel)
    sb.slack.wait_until(lambda _: not _enrolled(sb, leaver), 10)
    changed = _preview(sb, admin)
    assert "Membership changed since the last preview; these groups use a new draw" in _said(changed)
    shown = _previewed(changed)
    assert leaver not in {u for group in shown for u in group}
    steady = _preview(sb, admin)
    assert "Membership changed" not in _said(steady) and _previewed(steady) == shown
    _run(sb, admin)
    assert _sent(sb, len(shown)) == shown


def test_admin_run_is_refused_while_the_program_is_paused(sandbox: Sandbox) -> None:
    sb, admin = sandbox, _admin(sandbox)
    _setup(sb, admin)
    assert "rounds paused" in _command(sb, admin, "admin pause").text
    refused = _command(sb, admin, "admin run")
    assert "paused" in refused.text and "`/coffee admin resume`" in refused.text
    assert "nothing was sent" in refused.text
    assert _rounds(sb) == 0 and sb.slack.count("conversations.open") == 0 and sb.slack.group_dms() == []
    assert _program(sb).is_paused


def _set_day_in(sb: Sandbox, admin: str, days: int) -> datetime:
    """Schedule rounds on the weekday ``days`` from today (program zone); returns the next run."""
    program = _program(sb)
    today = datetime.now(ZoneInfo(program.timezone)).date()
    weekday = (today + timedelta(days=days)).weekday()
    if weekday != program.weekday:  # on some dates the default day is already the one wanted
        assert "Done" in _command(sb, admin, f"admin set day {WEEKDAYS[weekday]}").text
    due = _program(sb).next_run_at
    assert due is not None
    return due


def test_admin_run_replaces_the_next_round_when_it_is_due_within_half_a_period(sandbox: Sandbox) -> None:
    sb, admin = sandbox, _admin(sandbox)
    _setup(sb, admin)
    due = _set_day_in(sb, admin, 1)  # weekly: tomorrow is within 3.5 days
    tz = sb.workspace.user(admin).tz
    text = _run(sb, admin)
    after = _program(sb).next_run_at
    assert after is not None and after - due >= timedelta(days=6)  # the schedule moved past it
    assert f"This round replaces the one scheduled for {local_time(due, tz)}" in text
    assert f"The next one is {local_time(after, tz)}" in text


def test_admin_run_far_from_the_next_round_is_an_extra_round(sandbox: Sandbox) -> None:
    sb, admin = sandbox, _admin(sandbox)
    _setup(sb, admin)
    due = _set_day_in(sb, admin, 5)  # weekly: five days away is more than half a period
    text = _run(sb, admin)
    assert _program(sb).next_run_at == due
    tz = sb.workspace.user(admin).tz
    assert f"extra round: the next scheduled round still happens on {local_time(due, tz)}" in text


def test_setup_uses_the_members_time_zone_and_says_how_to_change_it(sandbox: Sandbox) -> None:
    sb = sandbox
    admin = next(u for u in sb.humans if sb.workspace.user(u).tz not in ("UTC", "Etc/UTC"))
    tz = sb.workspace.user(admin).tz
    text = _setup(sb, admin)
    program = _program(sb)
    assert program.timezone == tz and program.next_run_at is not None
    assert f"First round: *{local_time(program.next_run_at, tz)}*" in text
    assert f"Rounds follow *{tz}* (your time zone)" in text
    assert "`/coffee admin set timezone Europe/Berlin`" in text
