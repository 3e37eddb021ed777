"""Ask an expert: `/coffee ask`, "Introduce me", and the expert's accept / not now."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.context import asker
from serendip.adapters.slack.views import ask_blocks, blocks
from serendip.bootstrap import Container
from serendip.services import asks, members
from serendip.services.errors import ServiceError
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

SLACK_TROUBLE = ":sweat_smile: Slack didn't let me do that just now. Please try again in a minute."


def register(app: App) -> None:
    """Attach the ask-an-expert buttons."""
    app.action("ask_introduce")(on_introduce)
    app.action("ask_accept")(on_accept)
    app.action("ask_decline")(on_decline)


def ask_reply(services: Container, *, team_id: str, user_id: str, topic: str) -> dict[str, Any]:
    """`/coffee ask <topic>`: up to three experts from other teams, or the closest tags."""
    with services.db.transaction() as session:
        asker = members.ensure_member(session, services.gateway, team_id, user_id)
        result = asks.search(session, asker, topic, utcnow())
        tz = asker.tz
    return ask_blocks.search_reply(result, tz)


def _ask_id(action: dict[str, Any]) -> int:
    value = str(action.get("value") or "")
    return int(value) if value.isdigit() else 0


def on_introduce(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Container
) -> None:
    """The asker wants an intro: DM the expert with accept / not now."""
    ack()
    team_id, user_id = asker(body).team_id, asker(body).user_id
    try:
        with services.db.transaction() as session:
            people = asks.request(session, ask_id=_ask_id(action), asker_slack_id=user_id, now=utcnow())
    except ServiceError as exc:
        respond(blocks.message(str(exc), [blocks.section(str(exc))]))
        return
    text, dm = ask_blocks.expert_request(people)
    try:
        services.gateway.post_to_user(people.expert, text, dm)
    except SlackCallFailed as exc:
        log.warning("ask.request_failed team=%s ask_id=%s error=%s", team_id, people.ask_id, exc.reason)
        with services.db.transaction() as session:
            asks.undo_request(session, people.ask_id)
        respond(blocks.reply(SLACK_TROUBLE))
        return
    respond(ask_blocks.requested_reply(people))


def _answer(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Container, *, accept: bool
) -> asks.AskPeople | None:
    """Record the expert's answer; None (after telling them why) when it cannot be taken."""
    user_id = asker(body).user_id
    try:
        with services.db.transaction() as session:
            return asks.answer(
                session, ask_id=_ask_id(action), expert_slack_id=user_id, accept=accept, now=utcnow()
            )
    except ServiceError as exc:
        respond(blocks.reply(str(exc)))
        return None


def on_accept(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Container
) -> None:
    """The expert accepted: open a group DM with both and post a short intro."""
    ack()
    team_id = asker(body).team_id
    people = _answer(body, action, respond, services, accept=True)
    if people is None:
        return
    try:
        conversation_id = services.gateway.open_group([people.asker, people.expert])
        text, intro = ask_blocks.intro_text(people)
        services.gateway.post(conversation_id, text, intro)
    except SlackCallFailed as exc:
        log.warning("ask.intro_failed team=%s ask_id=%s error=%s", team_id, people.ask_id, exc.reason)
        with services.db.transaction() as session:
            asks.undo_accept(session, people.ask_id)
        respond(blocks.reply(SLACK_TROUBLE))
        return
    with services.db.transaction() as session:
        asks.record_conversation(session, people.ask_id, conversation_id)
    log.info("ask.intro_posted team=%s ask_id=%s", team_id, people.ask_id)
    respond(ask_blocks.answered(True, people))


def on_decline(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Container
) -> None:
    """The expert said "not now": thank them and tell the asker kindly."""
    ack()
    team_id = asker(body).team_id
    people = _answer(body, action, respond, services, accept=False)
    if people is None:
        return
    respond(ask_blocks.answered(False, people))
    text, note = ask_blocks.declined_note(people)
    try:
        services.gateway.post_to_user(people.asker, text, note)
    except SlackCallFailed as exc:
        log.warning(
            "ask.decline_note_failed team=%s ask_id=%s error=%s",
            team_id,
            people.ask_id,
            exc.reason,
        )
