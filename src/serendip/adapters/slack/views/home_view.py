"""The App Home tab as Block Kit: pure functions from HomeData to a `home` view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from serendip.adapters.slack.views.admin_blocks import admin_health_blocks
from serendip.adapters.slack.views.blocks import (
    SECTION_LIMIT,
    Block,
    actions,
    button,
    context,
    escape,
    local_time,
    section,
    status_text,
)
from serendip.adapters.slack.views.profile_modal import SOURCE_LABELS
from serendip.domain.plural import plural
from serendip.domain.profile_input import clock
from serendip.services.home import HomeData, TagCloud

MAX_VIEW_BLOCKS = 100
BAR_WIDTH = 10
CLOUD_LINES = 12
OUTCOMES = {
    "met": ":white_check_mark: met",
    "scheduled": ":calendar: scheduled",
    "cant_make_it": ":x: couldn't make it",
}


def home_view(data: HomeData) -> dict[str, Any]:
    """The whole Home tab (with program health for admins), never more than Slack's 100 blocks."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": ":coffee: Serendip", "emoji": True}},
        *status_blocks(data),
        {"type": "divider"},
        *intro_blocks(data),
        {"type": "divider"},
        *profile_blocks(data),
    ]
    for cloud in data.clouds:
        blocks += [{"type": "divider"}, *cloud_blocks(cloud)]
    # Program health for admins comes last and is always shown whole: the member's part gives way.
    panels = [b for panel in data.health for b in ({"type": "divider"}, *admin_health_blocks(panel))]
    return {
        "type": "home",
        "callback_id": "serendip_home",
        "blocks": [*blocks[: MAX_VIEW_BLOCKS - len(panels)], *panels],
    }


def status_blocks(data: HomeData) -> list[Block]:
    """Where the member stands in each program, the next round, and pause/resume buttons."""
    tz = data.profile.tz
    if not data.statuses:
        return [section("You're not in any Serendip program yet. Join an intro channel to get introduced.")]
    lines = "\n".join(status_text(s, tz) for s in data.statuses)
    found: list[Block] = [section(f"*Your status*\n{lines}")]
    if data.next_round is not None:
        found.append(context(f":date: Next round: *{local_time(data.next_round, tz)}*"))
    if data.next_season is not None:
        found.append(context(f":date: Next season of circles: *{local_time(data.next_season, tz)}*"))
    states = {s.state for s in data.statuses}
    buttons = []
    if "active" in states:
        buttons += [
            button("Pause 2 weeks", "home_pause", "14"),
            button("Pause until I resume", "home_pause", "0"),
            button("Skip next round", "home_skip", "skip"),
        ]
    if states & {"paused", "skipping"}:
        buttons.append(button("Resume", "home_resume", "resume", "primary"))
    if buttons:
        found.append(actions(*buttons, block_id="home_participation"))
    return found


def intro_blocks(data: HomeData) -> list[Block]:
    """The current intro(s) and the last few with their outcomes."""
    tz = data.profile.tz
    if data.current:
        lines = [f"• {_intro_line(item, tz)}" for item in data.current]
        found = [section("*Your current intro*\n" + "\n".join(lines))]
    else:
        found = [section("*Your current intro*\nNone right now. The next round will bring one.")]
    if data.history:
        lines = [f"• {_intro_line(item, tz)}" for item in data.history]
        found.append(section("*Your last intros*\n" + "\n".join(lines)))
    return found


def _intro_line(item: dict[str, Any], tz: str) -> str:
    who = ", ".join(f"<@{u}>" for u in item["with"]) or "someone who has since left"
    outcome = OUTCOMES.get(item.get("outcome") or "", "no answer yet")
    return f"{local_time(item['when'], tz)} in <#{item['channel_id']}> with {who}: _{outcome}_"


def profile_blocks(data: HomeData) -> list[Block]:
    """The member's department, tags, hours and asks setting, with an edit button."""
    p = data.profile
    if p.department:
        source = SOURCE_LABELS.get(p.department_source) if p.department_source else None
        department = escape(p.department) + (f" _({source})_" if source else "")
    else:
        department = "_not set_"
    lines = [
        "*Your profile*",
        f"*Department:* {department}",
        f"*Can help with:* {tag_list(p.expertise)}",
        f"*Wants to learn:* {tag_list(p.interests)}",
        f"*Working hours:* {clock(p.work_start)}–{clock(p.work_end)} ({escape(p.tz)})",
        "*Ask an expert:* " + ("people may ask you" if p.may_be_asked else "off"),
    ]
    return [{**section("\n".join(lines)), "accessory": button("Edit profile", "open_profile", "home")}]


def tag_list(tags: Sequence[str]) -> str:
    """Tags as code spans, or a hint when there are none."""
    return ", ".join(f"`{escape(t)}`" for t in tags) if tags else "_none yet_"


def cloud_blocks(cloud: TagCloud) -> list[Block]:
    """A program's expertise cloud: a heading, the weighted list, and a one-line summary."""
    heading = section(f"*:bulb: What <#{cloud.channel_id}> knows*")
    if not cloud.counts:
        return [heading, context("Nobody here has tagged their expertise yet. Be the first: *Edit profile*.")]
    people_tags = sum(n for _, n in cloud.counts)
    summary = context(
        f"{plural(len(cloud.counts), 'topic')}, {plural(people_tags, 'expertise tag')}. Most common first; "
        "*bold* marks the top tier. Find someone with `/coffee ask <topic>`."
    )
    return [heading, section(tag_cloud_text(cloud.counts)), summary]


def tag_cloud_text(counts: Sequence[tuple[str, int]], lines: int = CLOUD_LINES) -> str:
    """Most common first, a bar per tag, bold for the top tier, the long tail on one line."""
    ranked = sorted(counts, key=lambda item: (-item[1], item[0]))
    if not ranked:
        return ""
    top = ranked[0][1]
    rows = [
        _cloud_row(tag, n, top, is_top=index < 5 and n * 3 >= top * 2)
        for index, (tag, n) in enumerate(ranked[:lines])
    ]
    tail = ranked[lines:]
    text = "\n".join(rows)
    if tail:
        text += "\n" + _tail(tail, SECTION_LIMIT - len(text) - 1)
    return text


def _cloud_row(tag: str, count: int, top: int, *, is_top: bool) -> str:
    filled = max(1, round(BAR_WIDTH * count / top))
    bar = "█" * filled + "░" * (BAR_WIDTH - filled)
    name = f"*{escape(tag)}*" if is_top else escape(tag)
    return f"`{bar}` {name} · {count}"


def _tail(tail: Sequence[tuple[str, int]], budget: int) -> str:
    text = "_Also:_ "
    for index, (tag, count) in enumerate(tail):
        more = f" and {len(tail) - index} more"
        piece = ("" if index == 0 else ", ") + f"{escape(tag)} ({count})"
        if len(text) + len(piece) + len(more) > budget:
            return text + more
        text += piece
    return text
