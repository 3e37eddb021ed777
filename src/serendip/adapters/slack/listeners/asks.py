"""Ask an expert's buttons: "Introduce me", and the expert's accept / not now."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.replies import reply
from serendip.adapters.slack.views import ask_blocks, blocks
from serendip.domain import payload_values
from serendip.services import asks
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError

SLACK_TROUBLE = ":sweat_smile: Slack didn't let me do that just now. Please try again in a minute."


def register(app: App) -> None:
    """Attach the ask-an-expert buttons."""
    app.action("ask_introduce")(on_introduce)
    app.action("ask_accept")(on_accept)
    app.action("ask_decline")(on_decline)


def _ask_id(action: dict[str, Any]) -> int:
    """The ask id the button carries; 0 (no such ask: the service refuses it) when it is not one."""
    return payload_values.row_id(action.get("value")) or 0


def on_introduce(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps
) -> None:
    """The asker wants an intro: DM the expert with accept / not now."""
    ack()
    who = asker(body)
    try:
        done = asks.introduce_me(
            deps,
            team_id=who.team_id,
            user_id=who.user_id,
            ask_id=_ask_id(action),
            render=ask_blocks.expert_request,
        )
    except ServiceError as exc:
        reply(body, respond, blocks.message(str(exc), [blocks.section(str(exc))]))
        return
    reply(
        body, respond, ask_blocks.requested_reply(done.people) if done.sent else blocks.reply(SLACK_TROUBLE)
    )


def on_accept(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """The expert accepted: open a group DM with both and post a short intro."""
    ack()
    who = asker(body)
    try:
        done = asks.accept_ask(
            deps,
            team_id=who.team_id,
            user_id=who.user_id,
            ask_id=_ask_id(action),
            render=ask_blocks.intro_text,
        )
    except ServiceError as exc:
        reply(body, respond, blocks.reply(str(exc)))
        return
    reply(body, respond, ask_blocks.answered(True, done.people) if done.sent else blocks.reply(SLACK_TROUBLE))


def on_decline(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """The expert said "not now": thank them and tell the asker kindly."""
    ack()
    who = asker(body)
    try:
        done = asks.decline_ask(
            deps,
            team_id=who.team_id,
            user_id=who.user_id,
            ask_id=_ask_id(action),
            render=ask_blocks.declined_note,
        )
    except ServiceError as exc:
        reply(body, respond, blocks.reply(str(exc)))
        return
    reply(
        body, respond, ask_blocks.answered(False, done.people)
    )  # thanked whether or not the asker's note went out
