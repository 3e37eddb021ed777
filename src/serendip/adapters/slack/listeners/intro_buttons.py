"""The intro outcome buttons ("We met", "Scheduled", "Can't make it") on intros and follow-ups."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.replies import reply
from serendip.adapters.slack.views import blocks, intro_blocks
from serendip.domain import payload_values
from serendip.services import intro_answers
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.intro_answers import ClickedMessage, MessageKind

log = logging.getLogger(__name__)

OUTCOME_ACTION = re.compile(r"^intro_(met|scheduled|cant_make_it)$")
UNKNOWN_BUTTON = "That button isn't one Serendip knows; nothing was recorded."


def register(app: App) -> None:
    """Attach the outcome buttons (on intros and follow-ups)."""
    app.action(OUTCOME_ACTION)(on_outcome)


def _say(body: dict[str, Any], respond: Respond, text: str) -> None:
    reply(body, respond, blocks.message(text, [blocks.section(text)]))


def on_outcome(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Record the clicker's answer and update the message to show everyone's answers."""
    ack()
    who = asker(body)
    outcome = payload_values.outcome(action.get("action_id"))
    intro_id = payload_values.row_id(action.get("value"))
    if outcome is None or intro_id is None:
        log.warning("intro.answer_refused user=%s reason=bad_value", who.user_id)
        _say(body, respond, UNKNOWN_BUTTON)
        return
    posted = body.get("message") or {}
    channel, ts = payload_values.channel_id(who.channel_id), payload_values.message_ts(posted.get("ts"))
    message = ClickedMessage(channel, ts) if channel and ts else None

    def redraw(kind: MessageKind, answers: dict[str, str]) -> tuple[str, Sequence[dict[str, Any]]]:
        if kind == "followup":  # drawn afresh: nothing of the payload is posted back
            text, followup_blocks, _ = intro_blocks.followup_message(intro_id)
            return text, intro_blocks.with_answers(followup_blocks, answers)
        text = payload_values.text(posted.get("text")) or "Serendip intro"
        return text, intro_blocks.with_answers(posted.get("blocks") or [], answers)

    try:
        intro_answers.answer_intro(
            deps,
            team_id=who.team_id,
            user_id=who.user_id,
            intro_id=intro_id,
            outcome=outcome,
            message=message,
            redraw=redraw,
        )
    except ServiceError as exc:
        _say(body, respond, str(exc))
