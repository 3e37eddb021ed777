"""Interactivity: buttons in Serendip's messages."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.replies import reply
from serendip.adapters.slack.views import blocks
from serendip.services import profile
from serendip.services.deps import Deps

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the action listeners."""
    app.action("forget_me_confirm")(on_forget_me_confirm)
    app.action("forget_me_cancel")(on_forget_me_cancel)
    app.action("join_program")(on_join_program)


def on_forget_me_confirm(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Erase the member who clicked, then say so in place of the question."""
    ack()
    who = asker(body)
    profile.forget_me(deps, team_id=who.team_id, user_id=who.user_id)
    reply(
        body,
        respond,
        blocks.message(
            "Done: everything Serendip stored about you is deleted.",
            [
                blocks.section(
                    ":wastebasket: Done. Everything Serendip stored about you is deleted. "
                    "You won't be matched again unless you type `/coffee join` in a program's channel."
                )
            ],
            replace=True,
        ),
    )


def on_forget_me_cancel(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    """Keep everything and say so."""
    ack()
    reply(
        body,
        respond,
        blocks.message("Nothing was deleted.", [blocks.section("OK, nothing was deleted.")], replace=True),
    )


def on_join_program(ack: Ack) -> None:
    """The join button is a link to the channel; joining the channel is opting in."""
    ack()
