"""The "We met" / "Scheduled" / "Couldn't make it" buttons: record the answer and show everyone's."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from serendip.adapters.db import lifecycle_store as store
from serendip.services.deps import Deps
from serendip.services.lifecycle import followup
from serendip.services.lifecycle.results import Answers

log = logging.getLogger(__name__)

MessageKind = Literal["intro", "followup"]
# Draws one of the intro's own messages again with everyone's answers (Slack id -> outcome):
# its notification text and blocks.
Redraw = Callable[[MessageKind, dict[str, str]], tuple[str, Sequence[dict[str, Any]]]]


@dataclass(frozen=True)
class ClickedMessage:
    """Where the payload says the click came from; only used to tell which stored message it was."""

    channel_id: str
    ts: str


def answer_intro(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    intro_id: int,
    outcome: str,
    message: ClickedMessage | None,
    redraw: Redraw,
) -> Answers:
    """Record the clicker's answer and, when it changed, update the intro's clicked message.

    The message updated is the intro's STORED conversation and ts (the intro or its follow-up):
    a payload naming another message (a forged channel or ts) updates nothing.
    """
    answers = followup.record_outcome(
        deps.db, team_id=team_id, intro_id=intro_id, user_id=user_id, outcome=outcome
    )
    if not answers.changed or message is None:
        return answers
    with deps.db.transaction() as session:
        conversation, intro_ts, followup_ts = store.intro_posts(session, intro_id)
    kind: MessageKind | None = None
    if conversation is not None and message.channel_id == conversation:
        kind = "intro" if message.ts == intro_ts else "followup" if message.ts == followup_ts else None
    if conversation is None or kind is None:
        log.warning("intro.answer_not_shown intro_id=%s reason=not_this_intros_message", intro_id)
        return answers
    text, blocks = redraw(kind, answers.answers)
    deps.gateway.update(conversation, message.ts, text, blocks)
    return answers
