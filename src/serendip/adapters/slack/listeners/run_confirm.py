"""The "Start another round" / "Cancel" buttons `/coffee admin run` shows while a round is recent."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.views import blocks, round_blocks, season_blocks
from serendip.services import round_commands
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError

log = logging.getLogger(__name__)

# "<program id>:<newest round id>", ASCII digits only (int() would also read other scripts' digits).
CHOICE = re.compile(r"([0-9]{1,12}):([0-9]{1,12})")
NOT_VALID = "That button is not valid any more, so no round was started. Run `/coffee admin run` again."


def register(app: App) -> None:
    """Attach the confirmation's two buttons."""
    app.action(round_blocks.RUN_CONFIRM)(on_run_confirm)
    app.action(round_blocks.RUN_CANCEL)(on_run_cancel)


def read_choice(action: dict[str, Any]) -> tuple[int, int] | None:
    """(program id, newest round id) the button carries, or None for anything else."""
    value = action.get("value")
    match = CHOICE.fullmatch(value) if isinstance(value, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def on_run_confirm(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps
) -> None:
    """Start the round as `/coffee admin run` does, once the program and the admin are checked again."""
    ack()
    who = asker(body)
    choice = read_choice(action)
    if choice is None:
        log.info("round.run_confirm_refused team=%s user=%s reason=bad_value", who.team_id, who.user_id)
        respond(blocks.message(NOT_VALID, [blocks.section(NOT_VALID)], replace=True))
        return
    program_id, newest_round_id = choice
    respond(blocks.message(round_blocks.MATCHING, [blocks.section(round_blocks.MATCHING)], replace=True))
    try:
        started = round_commands.run_confirmed(
            deps,
            team_id=who.team_id,
            user_id=who.user_id,
            program_id=program_id,
            newest_round_id=newest_round_id,
        )
    except ServiceError as exc:
        respond(blocks.message(str(exc), [blocks.section(str(exc))], replace=True))
        return
    respond({**season_blocks.run_reply(started.run, started.tz), "replace_original": True})


def on_run_cancel(ack: Ack, respond: Respond) -> None:
    """Start nothing and say so in place of the question."""
    ack()
    text = round_blocks.NOT_STARTED
    respond(blocks.message(text, [blocks.section(text)], replace=True))
