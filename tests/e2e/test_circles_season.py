"""A circles program through the running bot: set kind circles, preview and form a season, circle
intros in group DMs, the left-out told by DM, and `admin run` mid-season asking to end it early."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from serendip.adapters.db.circle_models import CircleMeeting, SeasonWaitlist
from serendip.adapters.db.models import Intro, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.round_blocks import RUN_CONFIRM
from tests.e2e.conftest import Sandbox, running_sandbox
from tests.support.admin_run import admin_run, button, click, set_up
from tests.support.rounds import intro_posts

TOPICS = ("python", "hiring", "design", "sql")
MENTION = re.compile(r"<@([A-Z0-9]+)>")


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    """24 people in 4 departments: room for a few circles of five."""
    with running_sandbox(database_url, people=24, departments=4, seed=21) as sb:
        yield sb


def _command(sb: Sandbox, user: str, text: str) -> Any:
    return sb.driver.slash_command(user, text, channel_id=sb.channel)


def _tag_everyone_but(sb: Sandbox, left_out: set[str]) -> None:
    for i, user in enumerate(sb.humans):
        if user in left_out:
            continue
        _command(sb, user, f"expertise add {TOPICS[i % len(TOPICS)]}")
        _command(sb, user, f"interests add {TOPICS[(i + 1) % len(TOPICS)]}")


def _circle_dms(sb: Sandbox) -> dict[frozenset[str], dict[str, Any]]:
    """Each group DM holding a circle intro: its members, and the intro message."""
    bot = sb.workspace.bot.id
    found = {}
    for conversation in sb.slack.group_dms():
        for message in sb.slack.messages(conversation.id):
            if "Leave this circle" in str(message.get("blocks")):
                found[frozenset(u for u in conversation.members if u != bot)] = message
    return found


def _season_summaries(sb: Sandbox) -> int:
    """How many season summaries the program channel holds (one per season, once delivered)."""
    return sum("This season" in str(m) for m in sb.slack.messages(sb.channel))


def test_a_circles_season_forms_through_the_bot_and_the_left_out_hear_why(sandbox: Sandbox) -> None:
    sb = sandbox
    owner = set_up(sb)
    untagged = {u for u in sb.humans if u != owner}
    untagged = set(sorted(untagged)[:2])
    _tag_everyone_but(sb, untagged)

    changed = _command(sb, owner, "admin set kind circles").text
    assert "kind: intros → circles" in changed
    assert "group size: pairs → groups of 5 (pairs don't fit circles, which take 3 to 8 people" in changed
    assert "season" in _command(sb, owner, "admin set season 8w").text

    preview = _command(sb, owner, "admin preview names").wait_for_responses(1, 60)[0]
    shown = str(preview["blocks"])
    assert "Next season preview" in shown and "circle" in shown
    previewed = {
        frozenset(MENTION.findall(line))
        for block in preview["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
        if line.startswith("• *")
    }

    started = admin_run(sb, owner).wait_for_responses(1, 60)[0]["text"]
    assert "Season started" in started
    circles = int(re.search(r"(\d+) circles?", started).group(1))  # type: ignore[union-attr]
    sb.slack.wait_until(lambda _: len(intro_posts(sb.slack)) == circles, 60)
    dms = _circle_dms(sb)
    assert set(dms) == previewed and len(dms) == circles >= 3
    for members, message in dms.items():
        assert 4 <= len(members) <= 6 and "circle" in message["text"]
        assert any(f"`{t}`" in str(message["blocks"]) for t in TOPICS)

    for user in untagged:
        notes = [m for m in sb.slack.dm_messages(user) if "no circle for you" in str(m.get("text"))]
        assert len(notes) == 1 and "/coffee interests add" in notes[0]["text"]
    with sb.bot.container.db.transaction() as session:
        waitlisted = set(
            session.scalars(
                select(Member.slack_id).join(SeasonWaitlist, SeasonWaitlist.member_id == Member.id)
            )
        )
        assert untagged <= waitlisted
        season = session.scalars(select(Round)).one()
        assert season.season_ends_at is not None and (season.season_ends_at - season.scheduled_for).days == 56
        meetings = session.scalars(select(CircleMeeting)).all()
        assert len(meetings) == 8 * circles
    sb.slack.wait_until(lambda _: _season_summaries(sb) == 1, 30)

    refused = _command(sb, owner, "admin set kind intros").text
    assert "changes only between seasons" in refused
    with sb.bot.container.db.transaction() as session:
        assert session.scalars(select(Program.kind)).one() == "circles"


def test_admin_run_mid_season_asks_before_ending_it_and_then_forms_a_new_season(sandbox: Sandbox) -> None:
    sb = sandbox
    owner = set_up(sb)
    _tag_everyone_but(sb, set())
    _command(sb, owner, "admin set kind circles")
    assert "Season started" in admin_run(sb, owner).wait_for_responses(1, 60)[0]["text"]

    asked = admin_run(sb, owner)
    assert "End it early and form a new season now?" in str(asked.json["blocks"])
    assert button(asked, RUN_CONFIRM)["text"]["text"] == "End the season and form a new one"
    with sb.bot.container.db.transaction() as session:
        assert len(session.scalars(select(Round)).all()) == 1

    _, started = click(sb, owner, asked, RUN_CONFIRM, replies=2)
    assert "Season started" in started["text"] and "ended early" in started["text"]
    sb.slack.wait_until(lambda _: _season_summaries(sb) == 2, 60)  # the new season is delivered
    with sb.bot.container.db.transaction() as session:
        first, second = session.scalars(select(Round).order_by(Round.id)).all()
        assert first.season_ends_at is not None and first.season_ends_at <= utcnow()
        assert second.season_ends_at is not None and second.season_ends_at > utcnow()
        assert {i.round_id for i in session.scalars(select(Intro))} == {first.id, second.id}
