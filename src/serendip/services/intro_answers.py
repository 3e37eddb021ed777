"""The "We met" / "Scheduled" / "Couldn't make it" buttons: record the answer and show everyone's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from serendip.services.deps import Deps
from serendip.services.lifecycle import followup
from serendip.services.lifecycle.results import Answers

# Draws the clicked message again with everyone's answers (Slack id -> outcome).
Redraw = Callable[[dict[str, str]], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class ClickedMessage:
    """The bot's message whose button was clicked: where it is and its notification text."""

    channel_id: str
    ts: str
    text: str


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
    """Record the clicker's answer and, when it changed, update the message to show everyone's."""
    answers = followup.record_outcome(
        deps.db, team_id=team_id, intro_id=intro_id, user_id=user_id, outcome=outcome
    )
    if answers.changed and message is not None:
        deps.gateway.update(message.channel_id, message.ts, message.text, redraw(answers.answers))
    return answers
