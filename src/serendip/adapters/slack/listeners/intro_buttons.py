"""The intro outcome buttons ("We met", "Scheduled", "Can't make it") on intros and follow-ups."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.views import blocks, intro_blocks
from serendip.services import intro_answers
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.intro_answers import ClickedMessage

log = logging.getLogger(__name__)

OUTCOME_ACTION = re.compile(r"^intro_(met|scheduled|cant_make_it)$")


def register(app: App) -> None:
    """Attach the outcome buttons (on intros and follow-ups)."""
    app.action(OUTCOME_ACTION)(on_outcome)


def on_outcome(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Record the clicker's answer and update the message to show everyone's answers."""
    ack()
    match = OUTCOME_ACTION.match(action["action_id"])
    assert match is not None
    who = asker(body)
    posted = body.get("message") or {}
    message = (
        ClickedMessage(who.channel_id, str(posted["ts"]), posted.get("text") or "Serendip intro")
        if who.channel_id and posted.get("ts")
        else None
    )
    try:
        intro_answers.answer_intro(
            deps,
            team_id=who.team_id,
            user_id=who.user_id,
            intro_id=int(action["value"]),
            outcome=match.group(1),
            message=message,
            redraw=lambda answers: intro_blocks.with_answers(posted.get("blocks") or [], answers),
        )
    except (ServiceError, ValueError) as exc:
        respond(blocks.message(str(exc), [blocks.section(str(exc))]))
