"""Rounds from Slack: `/coffee admin run` and `preview`, and the intro outcome buttons."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.adapters.slack.views import blocks, intro_blocks, round_blocks
from serendip.bootstrap import Container
from serendip.services import members
from serendip.services.errors import NotAProgramChannel, ServiceError
from serendip.services.lifecycle import deliver, followup, manual, plan

log = logging.getLogger(__name__)

OUTCOME_ACTION = re.compile(r"^intro_(met|scheduled|cant_make_it)$")


def register(app: App) -> None:
    """Attach the outcome buttons (on intros and follow-ups)."""
    app.action(OUTCOME_ACTION)(on_outcome)


def on_outcome(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    services: Container,
) -> None:
    """Record the clicker's answer and update the message to show everyone's answers."""
    ack()
    match = OUTCOME_ACTION.match(action["action_id"])
    assert match is not None
    team_id = body["user"].get("team_id") or body["team"]["id"]
    try:
        answers = followup.record_outcome(
            services.db,
            team_id=team_id,
            intro_id=int(action["value"]),
            user_id=body["user"]["id"],
            outcome=match.group(1),
        )
    except (ServiceError, ValueError) as exc:
        respond(blocks.message(str(exc), [blocks.section(str(exc))]))
        return
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if answers.changed and channel and message.get("ts"):
        services.gateway.update(
            channel,
            message["ts"],
            message.get("text") or "Serendip intro",
            intro_blocks.with_answers(message.get("blocks") or [], answers.answers),
        )


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
    preview = plan.preview_round(services.db, program_id=_program_id(services, team_id, channel_id))
    return round_blocks.preview_message(preview, names=names)


def run_refusal(services: Container, *, team_id: str, channel_id: str) -> dict[str, Any] | None:
    """The reply refusing `admin run` before anything starts (a paused program), or None."""
    with services.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        reason = manual.refusal(program) if program is not None else None
    return blocks.reply(reason) if reason else None


def admin_run(services: Container, *, team_id: str, channel_id: str, user_id: str) -> dict[str, Any]:
    """Start a round now; delivery continues in the background under the round's lease."""
    program_id = _program_id(services, team_id, channel_id)
    publisher = services.publisher
    run = manual.start_manual_round(
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
        deliver.deliver_pending(services.db, publisher, deliver.DeliveryPolicy())
    except Exception as exc:  # the scheduler's tick takes over after the lease expires
        log.error("round.delivery_failed error=%s", type(exc).__name__, exc_info=exc)
