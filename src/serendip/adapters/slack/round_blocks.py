"""Replies for `/coffee admin run` and `/coffee admin preview`."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.blocks import Block, context, message, section
from serendip.domain.wording import plural
from serendip.services.delivery import delivery_estimate_seconds
from serendip.services.rounds import RoundPreview

SIX_HOURS = 6 * 3600


def estimate_text(intros: int) -> str:
    """The delivery estimate at Tier 3, with a warning past six hours."""
    seconds = delivery_estimate_seconds(intros)
    if seconds < 120:
        text = f"about {max(1, round(seconds))} seconds"
    elif seconds < 7200:
        text = f"about {round(seconds / 60)} minutes"
    else:
        text = f"about {seconds / 3600:.1f} hours"
    line = f"Delivery estimate: {text} for {intros} group DMs (Slack allows about 50 new group DMs a minute)."
    if seconds > SIX_HOURS:
        line = f":warning: {line} That is over six hours; consider a larger group size to need fewer intros."
    return line


def preview_message(preview: RoundPreview, *, names: bool) -> dict[str, Any]:
    """Counts, quality figures and the estimate; the groups themselves only when asked for names."""
    q = preview.quality
    lines = [
        f"*Next round preview* (nothing is sent): {preview.eligible} eligible people in {len(preview.groups)} groups.",
        f"Cross-team pairs: {q.get('cross_team_rate', 0):.0%} (best possible {q.get('cross_team_bound', 0):.0%}) · "
        f"repeats: {q.get('repeats', 0)} · working-hours overlap: {q.get('tz_overlap_rate', 0):.0%} · "
        f"shared tags: {q.get('shared_tag_rate', 0):.0%}",
        estimate_text(len(preview.groups)),
    ]
    if preview.lone:
        lines.append(f"<@{preview.lone}> would have nobody to meet.")
    if preview.sat_out:
        lines.append(f"{len(preview.sat_out)} person(s) would sit out because of pairing restrictions.")
    blocks: list[Block] = [section("\n".join(lines))]
    if names:
        groups = [", ".join(f"<@{u}>" for u in group) for group in preview.groups]
        for start in range(0, len(groups), 40):
            blocks.append(section("\n".join(f"• {g}" for g in groups[start : start + 40])))
        blocks = blocks[:49]
    else:
        blocks.append(context("Add `names` to see the groups: `/coffee admin preview names`"))
    return message("Next round preview", blocks)


def run_held(round_id: int, problems: int) -> str:
    """Said when `/coffee admin run` produced a round the independent check refused to send."""
    return (
        f":warning: This round was held back: Serendip's independent check found it would break a "
        f"matching rule ({plural(problems, 'problem')}), so nothing was sent. This is a bug in Serendip, "
        f"not in your settings; the server log has the details (round {round_id})."
    )


def run_started(intros: int, eligible: int) -> str:
    """Said when `/coffee admin run` has matched the round and starts delivering."""
    return f":rocket: Round started: {eligible} people in {intros} intros. {estimate_text(intros)}"
