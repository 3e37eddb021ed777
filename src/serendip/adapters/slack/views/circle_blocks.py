"""A circle's intro as Block Kit: the topic, its members and departments, who knows the topic and
who wants to learn it, common working hours, a first prompt, and a "Leave this circle" button."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from serendip.adapters.slack.views.blocks import Block, actions, button, context, escape, section
from serendip.adapters.slack.views.intro_blocks import INTRO_EVENT_TYPE, clock
from serendip.domain.circle_intro import departments, knowers, learners
from serendip.domain.intro_content import IntroCard, IntroPerson
from serendip.domain.plural import plural

LEAVE_ACTION = "circle_leave"  # value: the circle's intro id (handled with the season's answers)


def _member_line(person: IntroPerson, now: datetime) -> str:
    role = " · ".join(escape(x) for x in (person.title, person.department) if x)
    local = clock(now.hour * 60 + now.minute, person.tz, now)
    return f"• *<@{person.slack_id}>*" + (f" — {role}" if role else "") + f" — local time {local}"


def _mentions(people: list[IntroPerson]) -> str:
    return ", ".join(f"<@{p.slack_id}>" for p in people)


def circle_intro_message(
    card: IntroCard, now: datetime | None = None
) -> tuple[str, list[Block], dict[str, Any]]:
    """Text fallback, blocks and metadata (carrying the intro id, like a round's intro) of a circle."""
    assert card.topic is not None
    now = now or datetime.now(UTC)
    topic = escape(card.topic)
    teams = departments(card)
    head = (
        f":busts_in_silhouette: Welcome to your *{topic}* circle! You're {plural(len(card.people), 'person')}"
        + (f" from {plural(len(teams), 'department')}" if teams else "")
        + " who all listed `"
        + topic
        + "`. You'll meet regularly this season; Serendip nudges you with a host each time."
    )
    blocks: list[Block] = [section(head), section("\n".join(_member_line(p, now) for p in card.people))]
    if teams:
        blocks.append(context(":office: Departments: " + ", ".join(escape(t) for t in teams)))
    who = []
    if knowers(card):
        who.append(f":mortar_board: Knows `{topic}`: {_mentions(knowers(card))}")
    if learners(card):
        who.append(f":seedling: Wants to learn it: {_mentions(learners(card))}")
    if who:
        blocks.append(section("\n".join(who)))
    blocks.append(section(f":speech_balloon: *To start:* {escape(card.starter)}"))
    if card.overlap_utc:
        start, end = card.overlap_utc
        hours = "; ".join(
            f"<@{p.slack_id}> {clock(start, p.tz, now)}–{clock(end, p.tz, now)}" for p in card.people
        )
        blocks.append(context(f":clock3: Everyone's working hours overlap: {hours}"))
    else:
        blocks.append(
            context(
                ":clock3: Your working hours don't all overlap: take turns with times, or keep a thread going."
            )
        )
    blocks.append(
        actions(
            button("Leave this circle", LEAVE_ACTION, str(card.intro_id)), block_id=f"circle:{card.intro_id}"
        )
    )
    metadata = {"event_type": INTRO_EVENT_TYPE, "event_payload": {"intro_id": card.intro_id}}
    names = ", ".join(p.name or p.slack_id for p in card.people)
    return f"Your {card.topic} circle: {names}", blocks, metadata
