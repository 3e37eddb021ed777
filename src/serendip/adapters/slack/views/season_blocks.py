"""A circles season's messages to admins: the summary once its circles are delivered, the preview
`admin preview` shows, and what `admin run` says (or asks) for a circles program."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from serendip.adapters.slack.views.blocks import (
    Block,
    actions,
    button,
    context,
    escape,
    local_time,
    message,
    reply,
    section,
)
from serendip.adapters.slack.views.round_blocks import RUN_CANCEL, RUN_CONFIRM, estimate_text
from serendip.adapters.slack.views.round_blocks import run_reply as round_run_reply
from serendip.domain.delivery_reasons import plain_reasons
from serendip.domain.plural import plural
from serendip.services.lifecycle.results import ManualRun, RoundSummary, SeasonPreview

FORMING = ":hourglass_flowing_sand: Forming this season's circles…"
PREVIEWING = ":hourglass_flowing_sand: Working out the next season…"
NEW_DRAW = (
    ":arrows_counterclockwise: Membership changed since the last preview; these circles use a new draw. "
    "The next season forms exactly these circles if membership stays as it is."
)


def _figures(quality: dict[str, Any], eligible: int, circles: int) -> list[str]:
    placed, listed = int(quality.get("placed", 0)), int(quality.get("people_with_topics", eligible))
    unplaced = int(quality.get("unplaced", eligible - placed))
    return [
        f"{plural(circles, 'circle')}, {plural(placed, 'person')} placed: "
        f"{quality.get('placed_share', 0):.0%} of the {plural(listed, 'person')} who listed a topic, "
        f"each on a topic they listed.",
        f"Departments per circle: {quality.get('mean_departments', 0):.1f} on average · "
        f"circles with three or more: {int(quality.get('circles_with_three_departments', 0))} · "
        f"with someone who knows the topic and someone learning it: {int(quality.get('expert_learner_circles', 0))}.",
        f"{plural(unplaced, 'person')} without a circle this season.",
    ]


def season_summary(summary: RoundSummary) -> tuple[str, list[Block]]:
    """The note posted to the program channel once a season's circles are delivered."""
    quality = summary.quality
    lines = [
        f":busts_in_silhouette: *This season:* {plural(summary.groups, 'circle')} formed, "
        f"{summary.delivered} delivered, from {plural(summary.eligible, 'person')}.",
        *_figures(quality, summary.eligible, summary.groups)[:2],
    ]
    unplaced = int(quality.get("unplaced", 0))
    if unplaced:
        lines.append(
            f"{plural(unplaced, 'person')} had no circle this season; each was told which topics would place them."
        )
    if summary.failed:
        reasons = "; ".join(plain_reasons(summary.failed.values()))
        lines.append(
            f":warning: {plural(len(summary.failed), 'circle intro')} could not be delivered ({reasons}). "
            "The program's admins have the details in their DM with Serendip."
        )
    text = "\n".join(lines)
    return text, [section(text)]


def preview_message(preview: SeasonPreview, *, names: bool) -> dict[str, Any]:
    """The season a circles program would form: figures, and the circles themselves with names."""
    lines = [
        f"*Next season preview* (nothing is sent): {plural(preview.eligible, 'eligible person', 'eligible people')}.",
        *_figures(preview.quality, preview.eligible, len(preview.circles)),
        estimate_text(len(preview.circles)),
    ]
    if preview.departments:
        lines.append(f"Fewest departments in a circle: {min(preview.departments)}.")
    if preview.violations:
        lines.append(":warning: Serendip's independent check refused this season: it would be held back.")
    if preview.new_draw:
        lines.append(NEW_DRAW)
    blocks: list[Block] = [section("\n".join(lines))]
    if names:
        rows = [
            f"• *{escape(topic)}* ({plural(teams, 'department')}): " + ", ".join(f"<@{u}>" for u in members)
            for (topic, members), teams in zip(preview.circles, preview.departments, strict=True)
        ]
        for start in range(0, len(rows), 30):
            blocks.append(section("\n".join(rows[start : start + 30])))
        if preview.unplaced:
            left = ", ".join(f"<@{u}>" for u in sorted(preview.unplaced)[:60])
            blocks.append(context(f"Without a circle: {left}"))
        blocks = blocks[:49]
    else:
        blocks.append(context("Add `names` to see the circles: `/coffee admin preview names`"))
    return message("Next season preview", blocks)


def end_season_confirm(program_id: int, newest_round_id: int, ends_at: datetime, tz: str) -> dict[str, Any]:
    """Ask before `/coffee admin run` ends a running season early to form a new one."""
    text = (
        f":raised_hand: This program's season is running until {local_time(ends_at, tz)}. "
        "End it early and form a new season now? Its circles get their closing vote, "
        "and everyone is placed in a fresh circle."
    )
    value = f"{program_id}:{newest_round_id}"
    return message(
        "End the season early?",
        [
            section(text),
            actions(
                button("End the season and form a new one", RUN_CONFIRM, value, "danger"),
                button("Cancel", RUN_CANCEL, "cancel"),
            ),
        ],
    )


def season_started(run: ManualRun, tz: str) -> dict[str, Any]:
    """What `/coffee admin run` did for a circles program: circles formed, or the season held back."""
    assert run.planned is not None
    if run.planned.held:
        return reply(
            ":warning: This season was held back: Serendip's independent check found circles that "
            "would break a rule, so nothing was sent. This is a bug in Serendip, not in your settings; "
            f"the server log has the details (season {run.planned.round_id})."
        )
    line = (
        f":rocket: Season started: {plural(run.planned.intros, 'circle')} from "
        f"{plural(run.planned.eligible, 'eligible person', 'eligible people')}. {estimate_text(run.planned.intros)}"
    )
    if run.ended_season is not None:
        line += "\nThe season that was running has ended early; its circles get their closing vote."
    if run.next_run_at is not None:
        line += f"\nThe next season forms {local_time(run.next_run_at, tz)}, after this one and its vote."
    return reply(line)


def run_reply(run: ManualRun, tz: str) -> dict[str, Any]:
    """What `/coffee admin run` (or its confirmation) did: a season for a circles program, else a round."""
    if run.planned is not None and run.planned.season:
        return season_started(run, tz)
    return round_run_reply(run, tz)
