"""Replies for `/coffee admin run` and `/coffee admin preview`."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.views.blocks import (
    Block,
    actions,
    button,
    context,
    local_time,
    message,
    reply,
    section,
)
from serendip.domain.lifecycle import RoundState
from serendip.domain.plural import plural
from serendip.services.lifecycle.deliver import delivery_estimate_seconds
from serendip.services.lifecycle.results import ManualRun, RoundPreview
from serendip.services.round_commands import RecentRound

SIX_HOURS = 6 * 3600
MATCHING = ":hourglass_flowing_sand: Matching this round…"
RUN_CONFIRM = "run_confirm"
RUN_CANCEL = "run_cancel"
ALREADY_STARTING = "A round of this program is already starting; nothing was done twice."
NOT_STARTED = "OK, no round was started."
NEW_DRAW = (
    ":arrows_counterclockwise: Membership changed since the last preview; these groups use a new draw. "
    "The next round sends exactly these groups if membership stays as it is."
)


def estimate_text(intros: int) -> str:
    """The delivery estimate at Tier 3, with a warning past six hours."""
    seconds = delivery_estimate_seconds(intros)
    if seconds < 120:
        text = f"about {plural(max(1, round(seconds)), 'second')}"
    elif seconds < 7200:
        text = f"about {plural(round(seconds / 60), 'minute')}"
    else:
        text = f"about {seconds / 3600:.1f} hours"
    line = (
        f"Delivery estimate: {text} for {plural(intros, 'group DM')} "
        "(Slack allows about 50 new group DMs a minute)."
    )
    if seconds > SIX_HOURS:
        line = f":warning: {line} That is over six hours; consider a larger group size to need fewer intros."
    return line


def preview_message(preview: RoundPreview, *, names: bool) -> dict[str, Any]:
    """Counts, quality figures and the estimate; the groups themselves only when asked for names."""
    q = preview.quality
    lines = [
        f"*Next round preview* (nothing is sent): {plural(preview.eligible, 'eligible person', 'eligible people')} "
        f"in {plural(len(preview.groups), 'group')}.",
        f"Cross-team pairs: {q.get('cross_team_rate', 0):.0%} (best possible {q.get('cross_team_bound', 0):.0%}) · "
        f"repeats: {q.get('repeats', 0)} · working-hours overlap: {q.get('tz_overlap_rate', 0):.0%} · "
        f"shared tags: {q.get('shared_tag_rate', 0):.0%}",
        estimate_text(len(preview.groups)),
    ]
    if preview.lone:
        lines.append(f"<@{preview.lone}> would have nobody to meet.")
    if preview.sat_out:
        lines.append(
            f"{plural(len(preview.sat_out), 'person')} would sit out because of pairing restrictions."
        )
    if preview.new_draw:
        lines.append(NEW_DRAW)
    blocks: list[Block] = [section("\n".join(lines))]
    if names:
        groups = [", ".join(f"<@{u}>" for u in group) for group in preview.groups]
        for start in range(0, len(groups), 40):
            blocks.append(section("\n".join(f"• {g}" for g in groups[start : start + 40])))
        blocks = blocks[:49]
    else:
        blocks.append(context("Add `names` to see the groups: `/coffee admin preview names`"))
    return message("Next round preview", blocks)


def run_held(round_id: int) -> str:
    """Said when `/coffee admin run` produced a round the independent check refused to send."""
    return (
        f":warning: This round was held back: Serendip's independent check found it would break a "
        f"matching rule, so nothing was sent. This is a bug in Serendip, "
        f"not in your settings; the server log has the details (round {round_id})."
    )


def run_started(run: ManualRun, tz: str) -> str:
    """Said when `/coffee admin run` has matched the round: size, estimate, and the schedule (in ``tz``)."""
    assert run.planned is not None
    intros, eligible = run.planned.intros, run.planned.eligible
    line = (
        f":rocket: Round started: {plural(eligible, 'person')} in {plural(intros, 'intro')}. "
        f"{estimate_text(intros)}"
    )
    if run.replaced is not None:
        after = f" The next one is {local_time(run.next_run_at, tz)}." if run.next_run_at else ""
        return f"{line}\nThis round replaces the one scheduled for {local_time(run.replaced, tz)}.{after}"
    if run.next_run_at is not None:
        return f"{line}\nThis is an extra round: the next scheduled round still happens on {local_time(run.next_run_at, tz)}."
    return line


def run_confirm(recent: RecentRound) -> dict[str, Any]:
    """Ask before `/coffee admin run` starts a round while another is delivering or just began."""
    going = recent.state in (RoundState.MATCHING, RoundState.DELIVERING)
    why = "is still being delivered" if going else "was started less than 5 minutes ago"
    text = (
        f":raised_hand: A round of this program {why}. Start another round now anyway? "
        "Everyone in the program would get a second intro."
    )
    # The newest round id rides along: a second click (or a race) then starts nothing twice.
    value = f"{recent.program_id}:{recent.newest_round_id}"
    return message(
        "Start another round?",
        [
            section(text),
            actions(
                button("Start another round", RUN_CONFIRM, value, "primary"),
                button("Cancel", RUN_CANCEL, "cancel"),
            ),
        ],
    )


def run_reply(run: ManualRun, tz: str) -> dict[str, Any]:
    """What `/coffee admin run` (or its confirmation) did: started, held back, or already starting."""
    if run.planned is None:
        return reply(ALREADY_STARTING)
    if run.planned.held:
        return reply(run_held(run.planned.round_id))
    return reply(run_started(run, tz))
