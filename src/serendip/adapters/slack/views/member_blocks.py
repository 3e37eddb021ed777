"""Replies to the member's `/coffee` commands: join, leave, pause, resume, skip, team, tags, asks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from serendip.adapters.slack.views.blocks import escape, local_time, reply
from serendip.services.membership import Joined, ParticipationChange
from serendip.services.profile import TagChange


def _channels(channel_ids: Sequence[str]) -> str:
    return ", ".join(f"<#{channel_id}>" for channel_id in channel_ids)


def joined(result: Joined) -> dict[str, Any]:
    """`/coffee join` in a program channel: welcome, with the next round in the member's zone."""
    if not result.new:
        return reply(f"You're already in <#{result.channel_id}>'s intros. :coffee:")
    when = f" The next round is {local_time(result.next_run_at, result.tz)}." if result.next_run_at else ""
    return reply(f":tada: You're in! Serendip will introduce you in <#{result.channel_id}>.{when}")


def left(change: ParticipationChange) -> dict[str, Any]:
    """`/coffee leave`."""
    return reply(
        f"You've left {_channels(change.channel_ids)}. No more intros there. "
        "Come back any time with `/coffee join`."
    )


def paused(change: ParticipationChange) -> dict[str, Any]:
    """`/coffee pause`: until when, and where."""
    span = (
        f"until {local_time(change.until, change.tz)}" if change.until else "until you type `/coffee resume`"
    )
    return reply(f":pause_button: Paused {span} in {_channels(change.channel_ids)}.")


def resumed(change: ParticipationChange) -> dict[str, Any]:
    """`/coffee resume`."""
    return reply(f":arrow_forward: Welcome back! You're active again in {_channels(change.channel_ids)}.")


def skipping(change: ParticipationChange) -> dict[str, Any]:
    """`/coffee skip`."""
    return reply(
        f"OK, you'll sit out the next round in {_channels(change.channel_ids)} and be back after that."
    )


def team_set(shown: str) -> dict[str, Any]:
    """`/coffee team <name>`: the department as now shown."""
    return reply(f"Your department is now *{escape(shown)}*.")


def _tag_list(tags: Sequence[str]) -> str:
    return ", ".join(f"`{escape(t)}`" for t in tags)


def tags_changed(change: TagChange, action: str) -> dict[str, Any]:
    """`/coffee expertise|interests add|remove`: what changed, what already was so, and the list now."""
    verb = "Added" if action == "add" else "Removed"
    parts = []
    if change.changed:
        parts.append(f"{verb} {_tag_list(change.changed)}.")
    if change.unchanged:
        state = "already there" if action == "add" else "not in your list"
        parts.append(f"{_tag_list(change.unchanged)}: {state}.")
    label = "expertise" if change.kind == "expertise" else "interests"
    parts.append(f"Your {label}: {_tag_list(change.now) if change.now else '_none yet_'}")
    return reply(" ".join(parts))


def asks_set(enabled: bool) -> dict[str, Any]:
    """`/coffee asks on|off`."""
    if enabled:
        return reply("People from other teams may now ask you as an expert on your expertise tags.")
    return reply("OK, nobody will be pointed to you as an expert. Turn it back on with `/coffee asks on`.")
