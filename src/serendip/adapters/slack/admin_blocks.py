"""Block Kit for program administration: replies, channel announcements, stats and the Home panel."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.blocks import Block, context, local_time, message, reply, section
from serendip.services.administration import Outcome
from serendip.services.analytics import ProgramStats, summary_rows


def _next_round(outcome: Outcome) -> str:
    if outcome.is_paused:
        return "Rounds are paused; `/coffee admin resume` starts them again."
    if outcome.next_run_at is None:
        return ""
    return f"Next round: *{local_time(outcome.next_run_at, outcome.timezone)}*."


def change_reply(outcome: Outcome) -> dict[str, Any]:
    """The admin's ephemeral answer: what changed, what already was so, and the next round."""
    lines = []
    if outcome.changes:
        lines.append(":white_check_mark: Done: " + "; ".join(outcome.changes) + ".")
    if outcome.unchanged:
        lines.append("Nothing to change: " + "; ".join(outcome.unchanged) + ".")
    lines.append(_next_round(outcome))
    if outcome.changes:
        lines.append("_Announced in the channel and written to the audit log._")
    return reply("\n".join(line for line in lines if line))


def announcement(actor: str, outcome: Outcome) -> tuple[str, list[Block]] | None:
    """A short note for the program channel about a change, or None when nothing changed."""
    if not outcome.changes:
        return None
    text = f":gear: <@{actor}> updated this program: " + "; ".join(outcome.changes) + "."
    after = _next_round(outcome)
    return text, [section(text), *([context(after)] if after else [])]


def stats_message(stats: ProgramStats, chart_note: str) -> dict[str, Any]:
    """`/coffee admin stats`: the figures, and where the chart went."""
    lines = "\n".join(f"• *{label}:* {value}" for label, value in summary_rows(stats))
    head = f"*Serendip stats for <#{stats.channel_id}>*"
    return message(
        f"Serendip stats for #{stats.channel_id}",
        [section(f"{head}\n{lines}"), context(chart_note)],
    )


def admin_health_blocks(stats: ProgramStats) -> list[dict[str, Any]]:
    """The program-health panel of the App Home for a program admin."""
    rows = dict(summary_rows(stats))
    picked = (
        "Participants now",
        "Rounds",
        "Intros delivered",
        "Meeting rate",
        "Cross-team rate",
        f"New cross-team ties in {stats.quarter}",
        "Department pairs with a tie",
        "Members with no cross-team tie yet",
    )
    fields = [{"type": "mrkdwn", "text": f"*{label}*\n{rows[label]}"[:2000]} for label in picked]
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Program health"}},
        section(f"<#{stats.channel_id}>"),
        {"type": "section", "fields": fields[:5]},
        {"type": "section", "fields": fields[5:]},
        context(
            "Type `/coffee admin stats` in the channel for the chart, `/coffee admin export` for the data."
        ),
    ]
