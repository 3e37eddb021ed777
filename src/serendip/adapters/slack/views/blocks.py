"""Block Kit builders: pure functions from results to Slack message payloads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from serendip.domain.mentions import channel_mention
from serendip.services.participation import ProgramStatus

Block = dict[str, Any]
SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Escape user-provided text for mrkdwn, as Slack requires (&, <, >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str) -> Block:
    """A mrkdwn section, cut to Block Kit's 3,000-character limit."""
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    """A small grey line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def button(
    text: str, action_id: str, value: str = "", style: str | None = None, url: str | None = None
) -> Block:
    """A button element."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75]},
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """An actions block holding buttons."""
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def message(text: str, blocks: Sequence[Block] | None = None, *, replace: bool = False) -> dict[str, Any]:
    """An ephemeral reply payload (for ack() or respond())."""
    payload: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    if blocks:
        payload["blocks"] = list(blocks)
    if replace:
        payload["replace_original"] = True
    return payload


def reply(text: str) -> dict[str, Any]:
    """A plain ephemeral text reply."""
    return message(text, [section(text)])


def usage_error(problem: str, usage: str) -> dict[str, Any]:
    """Say what was wrong and show the right usage."""
    return message(problem, [section(f":warning: {problem}"), section(usage)])


def local_time(when: datetime, tz: str) -> str:
    """A time in someone's zone, e.g. 'Mon 30 Nov, 10:00 CET'."""
    try:
        local = when.astimezone(ZoneInfo(tz))
    except Exception:
        local = when
    return local.strftime("%a %d %b %Y, %H:%M %Z").strip()


def status_text(status: ProgramStatus, tz: str) -> str:
    """One line about the member's standing in a program."""
    line = f"<#{status.channel_id}>: *{status.state}*"
    if status.state == "paused":
        line += (
            f" until {local_time(status.paused_until, tz)}" if status.paused_until else " until you resume"
        )
    if status.circle_topic is not None:
        line += f" · in the `{status.circle_topic}` circle"
    if status.next_round and status.state in {"active", "paused", "skipping"}:
        what = "next season" if status.circles else "next round"
        line += f" · {what} {local_time(status.next_round, tz)}"
    return line


def status_message(statuses: Sequence[ProgramStatus], tz: str, help_text: str) -> dict[str, Any]:
    """`/coffee` with no arguments: where you stand, the next round, and help."""
    if statuses:
        lines = "\n".join(status_text(s, tz) for s in statuses)
        head = f"*Your Serendip programs*\n{lines}"
    else:
        head = "You're not in any Serendip program yet. Join an intro channel (or ask an admin to run `/coffee admin setup` in one)."
    return message("Your Serendip status", [section(head), {"type": "divider"}, section(help_text)])


def welcome_dm(
    channel_id: str,
    next_round: datetime | None,
    tz: str,
    welcome_text: str | None,
    channel_name: str = "",
    circles: bool = False,
) -> tuple[str, list[Block]]:
    """The DM sent to someone who joins a program channel (a circles program says how circles work)."""
    channel = channel_mention(channel_id, channel_name)
    # Slack sends welcome text already escaped (should_escape), so it is posted as stored.
    intro = welcome_text if welcome_text else f"Welcome to {channel}! :wave:"
    if circles:
        when = f"The next season starts *{local_time(next_round, tz)}*." if next_round else ""
        what = (
            "Serendip forms small circles of people from different teams around a topic they listed, "
            f"meeting regularly for a season, each in its own group DM. {when}\n"
            "Circles form around your tags, so add some: `/coffee interests add design` for what you'd "
            "like to learn and `/coffee expertise add python, hiring` for what you know. "
            "Not for you? `/coffee leave`."
        )
    else:
        when = f"The next round is *{local_time(next_round, tz)}*." if next_round else ""
        what = (
            f"Serendip will introduce you to someone from another team in a group DM. {when}\n"
            "Tell people what you know and what you'd like to learn: `/coffee expertise add python, "
            "hiring` and `/coffee interests add design`. Need a break? `/coffee pause 2w`. "
            "Not for you? `/coffee leave`."
        )
    text = f"{intro}\n\n{what}"
    return f"Welcome to {channel}", [
        section(text),
        actions(button("Fill in your profile", "open_profile", "welcome", "primary")),
        context("Type `/coffee help` for everything you can do."),
    ]


def forget_me_confirm() -> dict[str, Any]:
    """Ask before erasing everything about the member."""
    text = (
        ":warning: This deletes everything Serendip stores about you: your profile, tags, program "
        "memberships, answers, pairing history and admin roles. It can't be undone. Slack itself keeps "
        "what was already posted or sent (intros in group DMs, files), as your workspace's retention "
        "settings decide. `/coffee my-data` shows what Serendip stores first."
    )
    return message(
        "Delete everything Serendip stores about you?",
        [
            section(text),
            actions(
                button("Delete my data", "forget_me_confirm", "confirm", "danger"),
                button("Cancel", "forget_me_cancel", "cancel"),
            ),
        ],
    )


def history_message(history: Sequence[dict[str, Any]], tz: str) -> dict[str, Any]:
    """The member's past intros."""
    if not history:
        return reply("No intros yet. Your first one comes with the next round of a program you're in.")
    lines = []
    for item in history:
        who = ", ".join(f"<@{u}>" for u in item["with"]) or "someone who has since left"
        outcome = {"met": "met", "scheduled": "scheduled", "cant_make_it": "couldn't make it"}.get(
            item["outcome"] or "", "no answer"
        )
        lines.append(f"• {local_time(item['when'], tz)} in <#{item['channel_id']}> with {who}: _{outcome}_")
    return message("Your past intros", [section("*Your past intros*\n" + "\n".join(lines))])


def join_choices(programs: Sequence[tuple[str, str]], team_id: str) -> dict[str, Any]:
    """Outside a program channel: the programs one can join, with buttons that open the channel."""
    if not programs:
        return reply(
            "There are no Serendip programs you could join yet. An admin starts one with `/coffee admin setup` in a channel."
        )
    blocks: list[Block] = [section("Joining a program's channel is opting in. Pick one:")]
    for channel_id, name in programs[:20]:
        url = f"https://slack.com/app_redirect?channel={channel_id}&team={team_id}"
        blocks.append(
            {
                **section(f"<#{channel_id}>"),
                "accessory": button(f"Join #{name}"[:75], "join_program", channel_id, url=url),
            }
        )
    return message("Programs you can join", blocks)
