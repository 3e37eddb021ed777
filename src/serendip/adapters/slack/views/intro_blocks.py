"""The intro message and the round summary, as Block Kit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from serendip.adapters.slack.views.blocks import Block, actions, button, context, escape, section
from serendip.domain.delivery_reasons import plain_reasons
from serendip.domain.intro_content import IntroCard, IntroPerson
from serendip.domain.plural import plural
from serendip.services.lifecycle.results import RoundSummary

INTRO_EVENT_TYPE = "serendip_intro"
OUTCOMES = (
    ("met", "We met", "primary"),
    ("scheduled", "Scheduled", None),
    ("cant_make_it", "Can't make it", None),
)


def clock(minutes_utc: int, tz: str, now: datetime) -> str:
    """A time given in minutes from UTC midnight, as HH:MM on someone's clock."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        zone = ZoneInfo(tz)
    except Exception:
        zone = ZoneInfo("UTC")
    return (midnight + timedelta(minutes=minutes_utc)).astimezone(zone).strftime("%H:%M")


def person_line(person: IntroPerson, now: datetime) -> str:
    """Name, department, title and local time of one person."""
    parts = [f"*<@{person.slack_id}>*"]
    role = " · ".join(escape(x) for x in (person.title, person.department) if x)
    if role:
        parts.append(role)
    parts.append(f"local time {clock(now.hour * 60 + now.minute, person.tz, now)}")
    line = " — ".join(parts)
    if person.expertise:
        line += "\n   knows: " + ", ".join(f"`{escape(t)}`" for t in sorted(person.expertise)[:8])
    if person.interests:
        line += "\n   curious about: " + ", ".join(f"`{escape(t)}`" for t in sorted(person.interests)[:8])
    return line


def intro_message(card: IntroCard, now: datetime | None = None) -> tuple[str, list[Block], dict[str, Any]]:
    """Text fallback, blocks and message metadata (carrying the intro id) of an intro."""
    now = now or datetime.now(UTC)
    names = ", ".join(f"<@{p.slack_id}>" for p in card.people)
    blocks: list[Block] = [
        section(
            f":wave: Meet each other: {names}! Serendip picked you from different corners of the company."
        ),
        section("\n".join(person_line(p, now) for p in card.people)),
    ]
    common = []
    if card.shared:
        common.append("You share " + ", ".join(f"`{escape(t)}`" for t in card.shared[:6]) + ".")
    for teacher, learner, tag in card.teaches[:3]:
        common.append(f"<@{teacher}> knows `{escape(tag)}`, which <@{learner}> wants to learn.")
    if common:
        blocks.append(section(" ".join(common)))
    blocks.append(section(f":speech_balloon: *Conversation starter:* {card.starter}"))
    if card.overlap_utc:
        start, end = card.overlap_utc
        hours = "; ".join(
            f"<@{p.slack_id}> {clock(start, p.tz, now)}–{clock(end, p.tz, now)}" for p in card.people
        )
        blocks.append(context(f":clock3: Overlapping working hours: {hours}"))
    else:
        blocks.append(
            context(
                ":clock3: Your working hours don't overlap; an async voice note or a quick chat thread works too."
            )
        )
    blocks.append(outcome_buttons(card.intro_id))
    metadata = {"event_type": INTRO_EVENT_TYPE, "event_payload": {"intro_id": card.intro_id}}
    # The text is what notifications show: names, never raw ids (mentions live in the blocks).
    return f"Meet each other: {', '.join(p.name or p.slack_id for p in card.people)}", blocks, metadata


def round_summary(summary: RoundSummary) -> tuple[str, list[Block]]:
    """The note posted to the program channel after a round."""
    quality = summary.quality
    lines = [
        f":coffee: *This round:* {summary.delivered} of {plural(summary.groups, 'intro')} delivered "
        f"to {plural(summary.eligible, 'person')}."
    ]
    if "cross_team_rate" in quality:
        lines.append(
            f"Cross-team pairs: {quality['cross_team_rate']:.0%} (best possible {quality.get('cross_team_bound', 1):.0%})."
        )
    repeats = quality.get("repeats", 0)
    if repeats:
        lines.append(f"{plural(int(repeats), 'pair')} had already met in a recent round.")
    if summary.failed:
        # Raw Slack error codes go to the program admins' DM and the logs, never to the channel.
        reasons = "; ".join(plain_reasons(summary.failed.values()))
        lines.append(
            f":warning: {plural(len(summary.failed), 'intro')} could not be delivered ({reasons}). "
            "The program's admins have the details in their DM with Serendip."
        )
    if summary.sat_out:
        lines.append(f"{plural(len(summary.sat_out), 'person')} sat out because of pairing restrictions.")
    text = "\n".join(lines)
    return text, [section(text)]


FOLLOWUP_EVENT_TYPE = "serendip_followup"


def outcome_buttons(intro_id: int) -> Block:
    """The three outcome buttons, carrying the intro id."""
    return actions(
        *(button(label, f"intro_{key}", str(intro_id), style) for key, label, style in OUTCOMES),
        block_id=f"intro_outcome:{intro_id}",
    )


def followup_message(intro_id: int) -> tuple[str, list[Block], dict[str, Any]]:
    """The one "did you meet?" message sent halfway to the next round."""
    text = ":wave: Did you get a chance to meet? Let us know, it helps us make better intros."
    metadata = {"event_type": FOLLOWUP_EVENT_TYPE, "event_payload": {"intro_id": intro_id}}
    return "Did you get a chance to meet?", [section(text), outcome_buttons(intro_id)], metadata


OUTCOME_LABELS = {
    "met": ":white_check_mark: met",
    "scheduled": ":calendar: scheduled",
    "cant_make_it": ":x: can't make it",
}


def with_answers(message_blocks: list[Block], answers: dict[str, str]) -> list[Block]:
    """The message's blocks with one line listing everyone's answer (replacing any earlier line)."""
    kept = [b for b in message_blocks if not str(b.get("block_id", "")).startswith("intro_answers")]
    line = " · ".join(
        f"<@{user}> {OUTCOME_LABELS.get(outcome, outcome)}" for user, outcome in sorted(answers.items())
    )
    answer_block = {**context(line), "block_id": "intro_answers"}
    return [*kept, answer_block]
