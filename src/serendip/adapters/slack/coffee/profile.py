"""`/coffee profile`: open the profile modal (the empty ack is the answer), or say it could not open."""

from __future__ import annotations

import logging

from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import blocks
from serendip.adapters.slack.views.profile_modal import profile_modal
from serendip.domain import commands as cmd
from serendip.services import profile_form

log = logging.getLogger(__name__)

OPEN_FAILED = ":sweat_smile: I couldn't open your profile just now. Please try `/coffee profile` again."


def profile(request: CoffeeRequest, _: cmd.Profile) -> None:
    """Open the modal first (views.open needs the trigger within 3 seconds), then ack."""
    who = request.who
    try:
        opened = profile_form.open_profile(
            request.deps,
            team_id=who.team_id,
            user_id=who.user_id,
            trigger_id=who.trigger_id,
            render=profile_modal,
        )
    except Exception as exc:  # never a stack trace in Slack: a friendly ephemeral instead
        log.error(
            "profile.command_failed team=%s user=%s error=%s",
            who.team_id,
            who.user_id,
            type(exc).__name__,
            exc_info=exc,
        )
        opened = False
    if opened:
        request.ack_empty()
    else:
        request.answer(blocks.reply(OPEN_FAILED))
