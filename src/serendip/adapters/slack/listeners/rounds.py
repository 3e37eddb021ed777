"""Rounds from Slack: `/coffee admin run` and `preview`, and the intro outcome buttons."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.context import asker
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.adapters.slack.views import blocks, intro_blocks, round_blocks
from serendip.bootstrap import Container
from serendip.services import delivery, intro_answers, manual_run, members, rounds
from serendip.services.deps import Deps
from serendip.services.errors import NotAProgramChannel, ServiceError
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


def _program_id(services: Container, team_id: str, channel_id: str) -> int:
    with services.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            raise NotAProgramChannel(
                "Run this in the program's channel (where `/coffee admin setup` was run)."
            )
        return program.id


def admin_preview(services: Container, *, team_id: str, channel_id: str, names: bool) -> dict[str, Any]:
    """What the next round would do, nothing sent."""
    preview = rounds.preview_round(services.db, program_id=_program_id(services, team_id, channel_id))
    return round_blocks.preview_message(preview, names=names)


def run_refusal(services: Container, *, team_id: str, channel_id: str) -> dict[str, Any] | None:
    """The reply refusing `admin run` before anything starts (a paused program), or None."""
    with services.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        reason = manual_run.refusal(program) if program is not None else None
    return blocks.reply(reason) if reason else None


def admin_run(services: Container, *, team_id: str, channel_id: str, user_id: str) -> dict[str, Any]:
    """Start a round now; delivery continues in the background under the round's lease."""
    program_id = _program_id(services, team_id, channel_id)
    publisher = services.publisher
    run = manual_run.start_manual_round(
        services.db, services.gateway, publisher, program_id=program_id, now=utcnow()
    )
    if run.planned is None:
        return blocks.reply("A round of this program is already starting; nothing was done twice.")
    if run.planned.held:
        return blocks.reply(round_blocks.run_held(run.planned.round_id))
    with services.db.transaction() as session:
        tz = members.ensure_member(session, services.gateway, team_id, user_id).tz
    threading.Thread(
        target=_deliver, args=(services, publisher), name="admin-run-delivery", daemon=True
    ).start()
    return blocks.reply(round_blocks.run_started(run, tz))


def _deliver(services: Container, publisher: SlackIntroPublisher) -> None:
    try:
        delivery.deliver_pending(services.db, publisher, delivery.DeliveryPolicy())
    except Exception as exc:  # the scheduler's tick takes over after the lease expires
        log.error("round.delivery_failed error=%s", type(exc).__name__, exc_info=exc)
