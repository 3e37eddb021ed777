"""A circle's buttons: "We met" / "Skipped this time" on nudges, Stay / Leave, and the closing vote."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.replies import reply
from serendip.adapters.slack.views import circle_season_blocks
from serendip.domain import payload_values
from serendip.domain.circles.messages import Nudge
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.lifecycle import circle_answers, circle_changes
from serendip.services.lifecycle.circle_changes import LeftCircle

log = logging.getLogger(__name__)

UNKNOWN_BUTTON = "That button isn't one Serendip knows; nothing was recorded."


def register(app: App) -> None:
    """Attach the circle buttons."""
    app.action("circle_met")(on_meeting_answer)
    app.action("circle_skipped")(on_meeting_answer)
    app.action("circle_stay")(on_stay)
    app.action(circle_season_blocks.LEAVE_ACTION)(on_leave)
    app.action("circle_vote_keep")(on_vote)
    app.action("circle_vote_end")(on_vote)


def _say(body: dict[str, Any], respond: Respond, text: str) -> None:
    reply(body, respond, circle_season_blocks.reply(text))


def _row_id(body: dict[str, Any], respond: Respond, action: dict[str, Any]) -> int | None:
    row_id = payload_values.row_id(action.get("value"))
    if row_id is None:
        log.warning("circle.click_refused user=%s reason=bad_value", asker(body).user_id)
        _say(body, respond, UNKNOWN_BUTTON)
    return row_id


def on_meeting_answer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps
) -> None:
    """Record "We met" for the circle or "Skipped this time" for the clicker; ask a three-time
    skipper whether to stay."""
    ack()
    meeting_id = _row_id(body, respond, action)
    if meeting_id is None:
        return
    who = asker(body)
    answer = "met" if action.get("action_id") == "circle_met" else "skipped"
    posted = body.get("message") or {}
    clicked = circle_answers.clicked_message(
        payload_values.channel_id(who.channel_id), payload_values.message_ts(posted.get("ts"))
    )

    def redraw(
        nudge: Nudge, held: bool | None, answers: dict[str, str]
    ) -> tuple[str, Sequence[dict[str, Any]]]:
        text, blocks, _ = circle_season_blocks.nudge_message(nudge, held, answers)
        return text, blocks

    try:
        recorded = circle_answers.answer_meeting(
            deps.db,
            deps.gateway,
            team_id=who.team_id,
            user_id=who.user_id,
            meeting_id=meeting_id,
            answer=answer,
            clicked=clicked,
            redraw=redraw,
        )
    except ServiceError as exc:
        _say(body, respond, str(exc))
        return
    if recorded.ask_to_stay:
        reply(body, respond, circle_season_blocks.stay_prompt(recorded.intro_id, recorded.topic))


def on_stay(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """The member stays in their circle after skipping."""
    ack()
    intro_id = _row_id(body, respond, action)
    if intro_id is None:
        return
    who = asker(body)
    try:
        topic = circle_answers.stay(deps.db, team_id=who.team_id, user_id=who.user_id, intro_id=intro_id)
    except ServiceError as exc:
        _say(body, respond, str(exc))
        return
    reply(body, respond, circle_season_blocks.stayed_reply(topic))


def on_leave(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """ "Leave this circle": the rest carry on in a new group DM (or merge, or close)."""
    ack()
    intro_id = _row_id(body, respond, action)
    if intro_id is None:
        return
    who = asker(body)

    def answer(left: LeftCircle) -> None:
        reply(body, respond, circle_season_blocks.left_reply(left.topic, left.outcome, left.merged_topic))

    try:
        circle_changes.leave_circle(
            deps.db,
            deps.publisher,
            team_id=who.team_id,
            user_id=who.user_id,
            intro_id=intro_id,
            answer=answer,
        )
    except ServiceError as exc:
        _say(body, respond, str(exc))


def on_vote(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Record (or change) the clicker's keep-going vote."""
    ack()
    intro_id = _row_id(body, respond, action)
    if intro_id is None:
        return
    who = asker(body)
    keep = action.get("action_id") == "circle_vote_keep"
    try:
        vote = circle_answers.vote(
            deps.db, team_id=who.team_id, user_id=who.user_id, intro_id=intro_id, keep=keep
        )
    except ServiceError as exc:
        _say(body, respond, str(exc))
        return
    reply(body, respond, circle_season_blocks.voted_reply(vote.topic, vote.keep, vote.closes_at))
