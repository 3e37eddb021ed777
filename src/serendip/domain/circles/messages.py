"""What a circle is told during and at the end of its season: nudges, prompts, notes and the vote.

Texts are Slack mrkdwn with mentions (`<@U123>`); topics are shown as code, so nothing a member
typed as a tag can format or mention anything. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PROMPTS = (
    "Share one thing about {topic} you learned or tried since you last met.",
    "Bring a {topic} question you'd love the others' take on.",
    "Who knows a corner of {topic} the others want to learn? Ask them to show it for ten minutes.",
    "Pick a {topic} problem from your team's week and work on it together.",
    "Swap one link, tool or book about {topic} that was worth your time.",
    "What would you try next in {topic} with a free afternoon? Compare notes.",
    "Tell the story of a {topic} mistake you learned from.",
    "Agree on one small {topic} experiment each, and report back next time.",
)


@dataclass(frozen=True)
class Nudge:
    """One meeting's nudge: who hosts, the topic, and a prompt; carries the meeting id."""

    meeting_id: int
    number: int
    host: str | None  # Slack id; None when nobody could host
    topic: str
    prompt: str
    host_name: str = ""  # shown in the notification text (mentions show as ids there)


@dataclass(frozen=True)
class CircleCard:
    """The first post in a circle's new group DM after someone left, joined or a circle merged in."""

    intro_id: int
    topic: str
    members: tuple[str, ...]  # Slack ids
    why: str  # mrkdwn: what changed


@dataclass(frozen=True)
class SeasonRecap:
    """A circle's closing message: what it did this season, and until when the vote is open."""

    intro_id: int
    topic: str
    held: int
    scheduled: int
    vote_closes_at: datetime


def code(topic: str) -> str:
    """A topic as inline code (backticks inside would end it early, so they become quotes)."""
    shown = topic.replace("`", "'").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"`{shown}`"


def prompt_for(topic: str, number: int, root_id: int) -> str:
    """The meeting's prompt: the list in turn, each circle starting at its own place."""
    return PROMPTS[(number - 1 + root_id) % len(PROMPTS)].format(topic=code(topic))


def host_line(host: str | None) -> str:
    """Who hosts this meeting."""
    return f"<@{host}> hosts this week." if host else "Pick a host among you this week."


def left_note(leaver: str) -> str:
    """Said in the old group DM when a member left and the others carry on."""
    return (
        f":wave: <@{leaver}> left the circle. The rest of you carry on in a new group DM "
        "(Slack can't remove anyone from this one); meet there from now on."
    )


def joined_note(newcomer: str) -> str:
    """Said in the old group DM when someone joins mid-season."""
    return (
        f":seedling: <@{newcomer}> joins the circle. You carry on together in a new group DM "
        "(Slack can't add anyone to this one); meet there from now on."
    )


def merged_note(topic: str, leaver: str | None) -> str:
    """Said in each old group DM of two circles merged into one."""
    why = f"<@{leaver}> left, and with fewer than three of you " if leaver else "With fewer than three "
    return (
        f":handshake: {why}this circle merges with the {code(topic)} circle. "
        "You carry on together in a new group DM; meet there from now on."
    )


def merged_in_note(topic: str) -> str:
    """Said in the old group DM of the circle that takes a small one in."""
    return (
        f":handshake: A smaller {code(topic)} circle joins yours. "
        "You carry on together in a new group DM; meet there from now on."
    )


def closed_note(leaver: str | None) -> str:
    """Said in the old group DM of a circle that fell below three with no circle to merge into."""
    why = f"<@{leaver}> left, and with " if leaver else "With "
    return (
        f":leaves: {why}fewer than three of you and no circle with room to join, this circle closes "
        "here. Thanks for meeting! You'll be in a fresh circle next season."
    )


def kept_note() -> str:
    """Said once the vote keeps the circle going."""
    return (
        ":tada: The vote is in: this circle keeps going! This group DM is yours now; Serendip won't "
        "nudge any more. You'll also be placed in a fresh circle next season."
    )


def ended_note(votes: int) -> str:
    """Said once the vote (or its absence) lets the circle end."""
    why = "Nobody voted, so" if votes == 0 else "Most votes said to let it end, so"
    return (
        f":sunrise: {why} this circle ends with the season. Thank you for meeting! "
        "Next season brings a fresh circle."
    )


def card_why_left(leaver: str) -> str:
    """The new group DM's opening line after a member left."""
    return f"<@{leaver}> left the circle, so here is its new home with the rest of you."


def card_why_joined(newcomer: str) -> str:
    """The new group DM's opening line after someone joined mid-season."""
    return f"Welcome <@{newcomer}>, who joins mid-season!"


def card_why_merged(small_topic: str, topic: str) -> str:
    """The new group DM's opening line after a small circle merged into another."""
    if small_topic == topic:
        return f"Two {code(topic)} circles merge here and carry on together."
    return f"The {code(small_topic)} circle merges into the {code(topic)} circle; carry on together."


def waitlisted_text(topics: tuple[str, ...]) -> str:
    """Told to someone who joined mid-season when no circle of their topics had room."""
    if not topics:
        return (
            ":seedling: Welcome! This season's circles are already meeting. Add what you'd like to "
            "learn with `/coffee interests add <a, b>` and you'll be placed in a circle next season."
        )
    return (
        ":seedling: Welcome! This season's circles are already meeting, and none on "
        + ", ".join(code(topic) for topic in topics[:5])
        + " has room. You'll be placed in a circle when the next season starts."
    )
