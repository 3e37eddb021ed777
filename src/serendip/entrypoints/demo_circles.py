"""`serendip demo --circles`: a season's circles as the sandbox's group DMs received them, and its figures."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.table import Table

from serendip.services.lifecycle.results import RoundSummary

_TOPIC = re.compile(r"Welcome to your \*(.+?)\* circle")


def circle_topic(blocks: list[dict[str, Any]]) -> str:
    """The topic a circle's intro names ("?" when the message is not a circle's)."""
    for block in blocks:
        match = _TOPIC.search(str((block.get("text") or {}).get("text", "")))
        if match:
            return match.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return "?"


def print_circles(console: Console, intros: list[dict[str, Any]], workspace: Any) -> None:
    """One row per circle: its topic, its members with their departments, how many departments."""
    table = Table(title=f"Circles posted to Slack ({len(intros)})", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("Topic")
    table.add_column("Members (department)")
    table.add_column("Departments", justify="right")
    for intro in intros:
        people = [workspace.user(uid) for uid in intro["members"] if uid != workspace.bot.id]
        depts = [workspace.department_of(p.id) or "?" for p in people]
        names = ", ".join(f"{p.real_name} ({d})" for p, d in zip(people, depts, strict=True))
        topic = circle_topic(intro["blocks"] or [])
        table.add_row(str(intro["intro_id"]), topic, names, str(len(set(depts))))
    console.print(table)


def print_season(console: Console, summary: RoundSummary) -> None:
    """The season's quality figures, as stored with it."""
    q = summary.quality
    console.print(
        f"Season: {summary.groups} circles, {summary.delivered} delivered, {len(summary.failed)} failed; "
        f"{int(q.get('placed', 0))} of {int(q.get('people_with_topics', 0))} people with a topic placed "
        f"({q.get('placed_share', 0):.0%}), each on a topic they listed; "
        f"{q.get('mean_departments', 0):.1f} departments per circle on average "
        f"({int(q.get('circles_with_three_departments', 0))} circles with three or more); "
        f"{int(q.get('expert_learner_circles', 0))} circles pair someone who knows the topic with someone "
        f"learning it; {int(q.get('unplaced', 0))} people without a circle this season."
    )
