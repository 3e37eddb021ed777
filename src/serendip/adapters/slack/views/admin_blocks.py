"""Block Kit for program administration: replies, channel announcements, stats and the Home panel."""

from __future__ import annotations

import re
from typing import Any

from serendip.adapters.slack.views.blocks import Block, context, escape, local_time, message, reply, section
from serendip.domain.plural import plural
from serendip.services.administration import Outcome
from serendip.services.analytics import ProgramStats, summary_rows
from serendip.services.program_snapshots import HealthPanel
from serendip.services.programs import SetupResult


def _next_round(outcome: Outcome, tz: str | None = None) -> str:
    if outcome.is_paused:
        return "Rounds are paused; `/coffee admin resume` starts them again."
    if outcome.next_run_at is None:
        return ""
    return f"Next round: *{local_time(outcome.next_run_at, tz or outcome.timezone)}*."


MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")


def change_reply(outcome: Outcome, tz: str | None = None) -> dict[str, Any]:
    """The admin's ephemeral answer: what changed, what already was so, and the next round in their zone."""
    lines = []
    if outcome.changes:
        lines.append(":white_check_mark: Done: " + "; ".join(outcome.changes) + ".")
    if outcome.unchanged:
        lines.append("Nothing to change: " + "; ".join(outcome.unchanged) + ".")
    lines.append(_next_round(outcome, tz))
    if outcome.changes:
        lines.append("_Announced in the channel and written to the audit log._")
    return reply("\n".join(line for line in lines if line))


def announcement(
    actor: str, outcome: Outcome, names: dict[str, str] | None = None
) -> tuple[str, list[Block]] | None:
    """A note for the program channel about a change (times in the program's zone), or None.

    ``names`` maps Slack ids to display names for the notification text, which shows no mentions.
    """
    if not outcome.changes:
        return None
    changes = "; ".join(outcome.changes)
    text = f":gear: <@{actor}> updated this program: {changes}."
    after = _next_round(outcome)
    notice = names_for_text(f"<@{actor}> updated this program: {changes}.", names)
    return notice, [section(text), *([context(after)] if after else [])]


def names_for_text(text: str, names: dict[str, str] | None = None) -> str:
    """Mentions in a line replaced by names (else the mention's label, else "someone")."""
    return MENTION.sub(lambda m: escape((names or {}).get(m.group(1)) or m.group(2) or "someone"), text)


def setup_reply(result: SetupResult) -> dict[str, Any]:
    """`/coffee admin setup`: who was enrolled, the first round in the member's zone, and the program's zone."""
    head = (
        "This channel is now a Serendip program! :coffee:"
        if result.created
        else "This channel was already a program."
    )
    lines = [
        f"{head} Enrolled {plural(len(result.enrolled), 'new member')}; skipped {result.skipped} "
        "(bots, guests, deactivated). Anyone who joins the channel is enrolled and welcomed."
    ]
    tz = result.actor_tz or result.timezone
    if result.next_run_at is not None:
        what = "First round" if result.created else "Next round"
        lines.append(f"{what}: *{local_time(result.next_run_at, tz)}*.")
    if result.created:
        # Slack has no workspace time zone: say whose zone the schedule follows and how to change it.
        whose = (
            "your time zone"
            if result.actor_tz == result.timezone
            else "as Slack didn't tell me your time zone"
        )
        lines.append(
            f"Rounds follow *{result.timezone}* ({whose}). To use another zone: "
            "`/coffee admin set timezone Europe/Berlin`."
        )
    return reply("\n".join(lines))


def stats_message(stats: ProgramStats, chart_note: str) -> dict[str, Any]:
    """`/coffee admin stats`: the figures, and where the chart went."""
    lines = "\n".join(f"• *{label}:* {value}" for label, value in summary_rows(stats))
    head = f"*Serendip stats for <#{stats.channel_id}>*"
    return message(
        f"Serendip stats for #{stats.channel_id}",
        [section(f"{head}\n{lines}"), context(chart_note)],
    )


def admin_health_blocks(panel: HealthPanel) -> list[dict[str, Any]]:
    """The program-health panel of the App Home for a program admin."""
    fields = [{"type": "mrkdwn", "text": f"*{label}*\n{value}"[:2000]} for label, value in panel.rows]
    note = "Type `/coffee admin stats` in the channel for the chart, `/coffee admin export` for the data."
    if panel.as_of is not None:  # a large program's figures, counted by the worker
        note = f"Counted at {panel.as_of:%H:%M} UTC (large programs are recounted every few minutes). {note}"
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Program health"}},
        section(f"<#{panel.channel_id}>"),
        {"type": "section", "fields": fields[:5]},
        {"type": "section", "fields": fields[5:]},
        context(note),
    ]
