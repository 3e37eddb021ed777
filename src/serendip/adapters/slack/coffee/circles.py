"""`/coffee leave circle`: leave one's interest circle this season."""

from __future__ import annotations

from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import circle_season_blocks
from serendip.domain import commands as cmd
from serendip.services.lifecycle import circle_changes
from serendip.services.lifecycle.circle_changes import LeftCircle, WhichCircle


def leave_circle(request: CoffeeRequest, _: cmd.LeaveCircle) -> None:
    """The circle of this group DM or program channel, else the member's only one (or ask which)."""
    who, deps = request.who, request.deps

    def answer(left: LeftCircle) -> None:
        request.answer(circle_season_blocks.left_reply(left.topic, left.outcome, left.merged_topic))

    result = circle_changes.leave_circle(
        deps.db,
        deps.publisher,
        team_id=who.team_id,
        user_id=who.user_id,
        channel_id=who.channel_id,
        answer=answer,
    )
    if isinstance(result, WhichCircle):
        request.answer(circle_season_blocks.leave_choices(result.circles))
