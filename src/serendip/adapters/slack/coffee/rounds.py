"""`/coffee admin preview` and `run` (the router has checked permission)."""

from __future__ import annotations

from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import blocks, round_blocks, season_blocks
from serendip.domain import commands as cmd
from serendip.services import round_commands
from serendip.services.lifecycle.results import SeasonPreview

PREVIEWING = ":hourglass_flowing_sand: Working out the next round…"


def preview(request: CoffeeRequest, command: cmd.AdminPreview) -> None:
    """What the next round would do, nothing sent; the groups only with `names`.

    Acked first: matching a big program can take longer than Slack's 3 seconds.
    """
    request.interim(blocks.reply(PREVIEWING))
    result = round_commands.preview(
        request.deps, team_id=request.who.team_id, channel_id=request.who.channel_id
    )
    if isinstance(result, SeasonPreview):
        request.answer(season_blocks.preview_message(result, names=command.names))
    else:
        request.answer(round_blocks.preview_message(result, names=command.names))


def run(request: CoffeeRequest, _: cmd.AdminRun) -> None:
    """Start a round now: a paused program is refused, and a round still delivering or started
    minutes ago is asked about, in the ack, before anything starts."""
    who = request.who
    refused = round_commands.run_refusal(request.deps, team_id=who.team_id, channel_id=who.channel_id)
    if refused is not None:
        request.answer(blocks.reply(refused))
        return
    recent = round_commands.recent_round(request.deps, team_id=who.team_id, channel_id=who.channel_id)
    if recent is not None and recent.season_ends_at is not None:
        tz = round_commands.asker_tz(request.deps, team_id=who.team_id, user_id=who.user_id)
        request.answer(
            season_blocks.end_season_confirm(
                recent.program_id, recent.newest_round_id, recent.season_ends_at, tz
            )
        )
        return
    if recent is not None:
        request.answer(round_blocks.run_confirm(recent))
        return
    request.interim(blocks.reply(round_blocks.MATCHING))
    started = round_commands.run_now(
        request.deps, team_id=who.team_id, channel_id=who.channel_id, user_id=who.user_id
    )
    request.answer(season_blocks.run_reply(started.run, started.tz))
