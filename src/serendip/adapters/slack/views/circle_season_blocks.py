"""A circle's season as Block Kit: nudges, new group DMs' cards, notes, the closing vote, and replies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from serendip.adapters.slack.views.blocks import Block, actions, button, context, message, section
from serendip.domain.circles.messages import CircleCard, Nudge, SeasonRecap, code, host_line
from serendip.domain.plural import plural
from serendip.services.circle_ports import CirclePostKind

NUDGE_EVENT_TYPE = "serendip_circle_nudge"
CARD_EVENT_TYPE = "serendip_circle"
CLOSING_EVENT_TYPE = "serendip_circle_closing"
# Each kind of post and the metadata key that carries its id (a meeting's, or an intro's).
EVENT_TYPES: dict[CirclePostKind, tuple[str, str]] = {
    "nudge": (NUDGE_EVENT_TYPE, "meeting_id"),
    "card": (CARD_EVENT_TYPE, "intro_id"),
    "closing": (CLOSING_EVENT_TYPE, "intro_id"),
}
ANSWERS_BLOCK = "circle_answers"
LEAVE_ACTION = "circle_leave"


def _metadata(kind: CirclePostKind, key: int) -> dict[str, Any]:
    event_type, field = EVENT_TYPES[kind]
    return {"event_type": event_type, "event_payload": {field: key}}


def leave_button(intro_id: int, label: str = "Leave this circle") -> Block:
    """The button that takes the clicker out of the circle, after Slack asks them to confirm."""
    element = button(label, LEAVE_ACTION, str(intro_id))
    element["confirm"] = {
        "title": {"type": "plain_text", "text": "Leave this circle?"},
        "text": {
            "type": "mrkdwn",
            "text": "The others carry on without you in a new group DM. You stay in the program "
            "and join a fresh circle next season.",
        },
        "confirm": {"type": "plain_text", "text": "Leave"},
        "deny": {"type": "plain_text", "text": "Stay"},
    }
    return element


def nudge_message(
    nudge: Nudge, held: bool | None = None, answers: Mapping[str, str] | None = None
) -> tuple[str, list[Block], dict[str, Any]]:
    """Text fallback, blocks and metadata of a meeting's nudge (with who answered, once anyone did)."""
    blocks: list[Block] = [
        section(
            f":calendar: *Circle meeting {nudge.number}* on {code(nudge.topic)}. {host_line(nudge.host)}"
        ),
        section(f":bulb: {nudge.prompt}"),
        actions(
            button("We met", "circle_met", str(nudge.meeting_id), "primary"),
            button("Skipped this time", "circle_skipped", str(nudge.meeting_id)),
            block_id=f"circle_meeting:{nudge.meeting_id}",
        ),
    ]
    line = answers_line(held, answers or {})
    if line:
        blocks.append({**context(line), "block_id": ANSWERS_BLOCK})
    who = f"{nudge.host_name} hosts this week" if nudge.host_name else "time to meet"
    return f"Circle meeting {nudge.number}: {who}", blocks, _metadata("nudge", nudge.meeting_id)


def answers_line(held: bool | None, answers: Mapping[str, str]) -> str:
    """One line saying the circle met, and who skipped this time."""
    parts = []
    if held:
        met = sorted(user for user, answer in answers.items() if answer == "met")
        said = f" (said by {', '.join(f'<@{user}>' for user in met)})" if met else ""
        parts.append(f":white_check_mark: You met{said}")
    skipped = sorted(user for user, answer in answers.items() if answer == "skipped")
    if skipped:
        parts.append(f":zzz: skipped this time: {', '.join(f'<@{user}>' for user in skipped)}")
    return " · ".join(parts)


def card_message(card: CircleCard) -> tuple[str, list[Block], dict[str, Any]]:
    """The first post of a circle's new group DM: what changed, who is in it, and the leave button."""
    names = ", ".join(f"<@{member}>" for member in card.members)
    blocks: list[Block] = [
        section(f":sparkles: {card.why}"),
        section(f"Your {code(card.topic)} circle: {names}. Your meetings carry on here, same rhythm."),
        actions(leave_button(card.intro_id), block_id=f"circle_card:{card.intro_id}"),
    ]
    return f"Your {card.topic} circle carries on here", blocks, _metadata("card", card.intro_id)


def closing_message(recap: SeasonRecap) -> tuple[str, list[Block], dict[str, Any]]:
    """The season's closing message: what the circle did, and the keep-going vote."""
    did = f"met {recap.held} of {plural(recap.scheduled, 'time')}" if recap.scheduled else "had no meetings"
    closes = f"<!date^{int(recap.vote_closes_at.timestamp())}^{{date_short_pretty}}|in three days>"
    blocks: list[Block] = [
        section(f":checkered_flag: *The season is over.* Your {code(recap.topic)} circle {did}. Thank you!"),
        section(
            "Keep going as a group on your own, or let it end here? A majority of the votes cast "
            f"keeps it; the vote closes {closes}. Either way you join a fresh circle next season."
        ),
        actions(
            button("Keep going", "circle_vote_keep", str(recap.intro_id), "primary"),
            button("Let it end", "circle_vote_end", str(recap.intro_id)),
            block_id=f"circle_vote:{recap.intro_id}",
        ),
    ]
    return (
        f"The season is over: your {recap.topic} circle {did}",
        blocks,
        _metadata("closing", recap.intro_id),
    )


def note(text: str) -> list[Block]:
    """A short note in a circle's group DM."""
    return [section(text)]


def reply(text: str, *, replace: bool = False) -> dict[str, Any]:
    """An ephemeral answer to a click or a command."""
    return message(text, [section(text)], replace=replace)


def stay_prompt(intro_id: int, topic: str) -> dict[str, Any]:
    """Asked (only to them) of a member who skipped three meetings in a row."""
    text = (
        f"You've skipped your {code(topic)} circle three times in a row. No pressure: "
        "would you like to stay, or leave so the others can plan without you?"
    )
    return message(
        "Stay in your circle?",
        [
            section(text),
            actions(
                button("Stay", "circle_stay", str(intro_id), "primary"),
                leave_button(intro_id, "Leave"),
                block_id=f"circle_stay:{intro_id}",
            ),
        ],
    )


def leave_choices(circles: Sequence[tuple[int, str, str]]) -> dict[str, Any]:
    """`/coffee leave circle` for someone in several circles: one leave button per circle."""
    blocks: list[Block] = [section("You're in more than one circle. Which one do you want to leave?")]
    for intro_id, topic, channel_name in circles:
        where = f" (#{channel_name})" if channel_name else ""
        element = leave_button(intro_id, f"Leave {topic}"[:75])
        blocks.append({**section(f"{code(topic)}{where}"), "accessory": element})
    return message("Which circle do you want to leave?", blocks)


def left_reply(topic: str, outcome: str, merged_topic: str = "") -> dict[str, Any]:
    """Told to the member who left a circle: what became of it."""
    rest = {
        "continued": "The others carry on without you in a new group DM.",
        "merged": f"With fewer than three left, the others merge with the {code(merged_topic)} circle.",
        "closed": "With fewer than three left and no circle to merge into, the circle closed.",
    }.get(outcome, "")
    return reply(
        f":wave: You left the {code(topic)} circle. {rest} You stay in the program and join a fresh "
        "circle next season."
    )


def stayed_reply(topic: str) -> dict[str, Any]:
    """Told to a member who chose to stay after skipping (in place of the question)."""
    return reply(f":raised_hands: Glad you're staying in the {code(topic)} circle!", replace=True)


def voted_reply(topic: str, keep: bool, closes_at: datetime | None) -> dict[str, Any]:
    """Told to a member who voted: their vote, and that they may change it until the vote closes."""
    choice = "keep going" if keep else "let it end"
    until = (
        f" until <!date^{int(closes_at.timestamp())}^{{date_short_pretty}} {{time}}|the vote closes>"
        if closes_at
        else ""
    )
    return reply(
        f":ballot_box_with_ballot: Your vote for the {code(topic)} circle: *{choice}*. You can change it{until}."
    )
