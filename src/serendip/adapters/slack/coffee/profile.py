"""`/coffee profile`: open the profile modal at once (a loading view), then fill it, or say it could not open."""

from __future__ import annotations

from serendip.adapters.slack import modals
from serendip.adapters.slack.coffee.request import CoffeeRequest
from serendip.adapters.slack.views import blocks
from serendip.adapters.slack.views.profile_modal import TITLE, profile_modal
from serendip.domain import commands as cmd
from serendip.services import profile_form

OPEN_FAILED = ":sweat_smile: I couldn't open your profile just now. Please try `/coffee profile` again."
OPENED = ":memo: Your profile is open."


def profile(request: CoffeeRequest, _: cmd.Profile) -> None:
    """Open the loading modal before any database work (the trigger lasts 3 seconds), ack, then fill it."""
    who = request.who
    view_id = modals.open_loading(request.deps.gateway, who, TITLE, event="profile")
    if view_id is None:
        request.answer(blocks.reply(OPEN_FAILED))
        return
    # The modal is the answer; a slow database now only delays its content.
    request.ack_empty(blocks.reply(OPENED))
    modals.fill(
        request.deps.gateway,
        who,
        view_id,
        TITLE,
        lambda: profile_modal(
            profile_form.load_profile(request.deps, team_id=who.team_id, user_id=who.user_id)
        ),
        event="profile",
    )
