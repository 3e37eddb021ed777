"""`/coffee ask <topic>`: up to three experts from other teams, or the closest tags."""

from __future__ import annotations

from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import ask_blocks
from serendip.domain import commands as cmd
from serendip.services import asks


def ask(request: CoffeeRequest, command: cmd.Ask) -> None:
    """Search for experts on the topic and show them as cards with "Introduce me"."""
    found = asks.find_experts(
        request.deps, team_id=request.who.team_id, user_id=request.who.user_id, topic=command.topic
    )
    request.answer(ask_blocks.search_reply(found.result, found.tz))
