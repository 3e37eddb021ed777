"""The member's `/coffee` commands: status, help, taking part, profile by text, history, forget-me."""

from __future__ import annotations

from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import blocks, member_blocks
from serendip.domain import commands as cmd
from serendip.domain.usage import HELP_TEXT, usage_for
from serendip.services import membership, profile_commands
from serendip.services.membership import JoinChoices


def status(request: CoffeeRequest, _: cmd.Status) -> None:
    """`/coffee`: where you stand, the next round, and help."""
    result = membership.status(request.deps, team_id=request.who.team_id, user_id=request.who.user_id)
    request.answer(blocks.status_message(result.statuses, result.tz, HELP_TEXT))


def help_(request: CoffeeRequest, command: cmd.Help) -> None:
    """`/coffee help [command]`."""
    text = usage_for(command.topic) if command.topic else HELP_TEXT
    request.answer(blocks.message("Serendip help", [blocks.section(text)]))


def join(request: CoffeeRequest, _: cmd.Join) -> None:
    """`/coffee join`: this channel's program, or the programs one could join."""
    who = request.who
    result = membership.join(
        request.deps, team_id=who.team_id, user_id=who.user_id, channel_id=who.channel_id
    )
    if isinstance(result, JoinChoices):
        request.answer(blocks.join_choices(result.programs, who.team_id))
    else:
        request.answer(member_blocks.joined(result))


def leave(request: CoffeeRequest, _: cmd.Leave) -> None:
    """`/coffee leave`."""
    who = request.who
    change = membership.leave(
        request.deps, team_id=who.team_id, user_id=who.user_id, channel_id=who.channel_id
    )
    request.answer(member_blocks.left(change))


def pause(request: CoffeeRequest, command: cmd.Pause) -> None:
    """`/coffee pause [2w|10d|until DATE]`."""
    who = request.who
    change = membership.pause(
        request.deps,
        team_id=who.team_id,
        user_id=who.user_id,
        channel_id=who.channel_id,
        days=command.days,
        until=command.until,
    )
    request.answer(member_blocks.paused(change))


def resume(request: CoffeeRequest, _: cmd.Resume) -> None:
    """`/coffee resume`."""
    who = request.who
    change = membership.resume(
        request.deps, team_id=who.team_id, user_id=who.user_id, channel_id=who.channel_id
    )
    request.answer(member_blocks.resumed(change))


def skip(request: CoffeeRequest, _: cmd.Skip) -> None:
    """`/coffee skip`."""
    who = request.who
    change = membership.skip(
        request.deps, team_id=who.team_id, user_id=who.user_id, channel_id=who.channel_id
    )
    request.answer(member_blocks.skipping(change))


def team(request: CoffeeRequest, command: cmd.Team) -> None:
    """`/coffee team <name>`."""
    who = request.who
    shown = profile_commands.set_team(
        request.deps, team_id=who.team_id, user_id=who.user_id, name=command.name
    )
    request.answer(member_blocks.team_set(shown))


def tags(request: CoffeeRequest, command: cmd.Expertise | cmd.Interests) -> None:
    """`/coffee expertise|interests add|remove <tags>`."""
    who = request.who
    change = profile_commands.change_tags(
        request.deps,
        team_id=who.team_id,
        user_id=who.user_id,
        kind="expertise" if isinstance(command, cmd.Expertise) else "interest",
        action=command.action,
        tags=command.tags,
    )
    request.answer(member_blocks.tags_changed(change, command.action))


def asks(request: CoffeeRequest, command: cmd.Asks) -> None:
    """`/coffee asks on|off`."""
    who = request.who
    enabled = profile_commands.set_asks(
        request.deps, team_id=who.team_id, user_id=who.user_id, enabled=command.enabled
    )
    request.answer(member_blocks.asks_set(enabled))


def history(request: CoffeeRequest, _: cmd.History) -> None:
    """`/coffee history`: your past intros."""
    result = membership.history(request.deps, team_id=request.who.team_id, user_id=request.who.user_id)
    request.answer(blocks.history_message(result.items, result.tz))


def forget_me(request: CoffeeRequest, _: cmd.ForgetMe) -> None:
    """`/coffee forget-me`: ask before erasing (the buttons do the rest)."""
    request.answer(blocks.forget_me_confirm())
