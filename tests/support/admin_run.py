"""Driving `/coffee admin run` and its "Start another round?" question through the running bot."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select

from serendip.adapters.db.models import Program, Round
from serendip.domain.lifecycle import RoundState
from serendip_sandbox.driver import CommandResult
from tests.e2e.conftest import Sandbox


def set_up(sb: Sandbox) -> str:
    """The workspace owner makes the sandbox channel a program; returns the owner's id."""
    owner = next(u for u in sb.humans if sb.workspace.user(u).is_owner)
    reply = sb.driver.slash_command(owner, "admin setup", channel_id=sb.channel).wait_for_responses(1, 30)
    assert "now a Serendip program" in reply[0]["text"]
    return owner


def admin_run(sb: Sandbox, user: str) -> CommandResult:
    """Type `/coffee admin run` in the program's channel."""
    return sb.driver.slash_command(user, "admin run", channel_id=sb.channel)


def first_round(sb: Sandbox, user: str) -> None:
    """Start the program's first round and wait until it is delivered."""
    assert "Round started" in admin_run(sb, user).wait_for_responses(1, 60)[0]["text"]
    sb.slack.wait_until(lambda _: sb.slack.messages(sb.channel), 30)  # the round summary
    # The channel may hold other posts; the round itself is finished only once it is done.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with sb.bot.container.db.transaction() as session:
            states = set(session.scalars(select(Round.state)))
        if states and states <= {RoundState.DONE}:
            return
        time.sleep(0.05)
    raise AssertionError(f"the first round did not finish: {states}")


def rounds(sb: Sandbox) -> int:
    """How many rounds the program has."""
    with sb.bot.container.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Round)) or 0)


def program_id(sb: Sandbox) -> int:
    """The sandbox program's id."""
    with sb.bot.container.db.transaction() as session:
        return int(session.scalars(select(Program.id)).one())


def button(asked: CommandResult, action_id: str) -> dict[str, Any]:
    """The button with this action id in a command's ack."""
    for block in asked.json.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} button in {asked.json!r}")


def click(
    sb: Sandbox,
    user: str,
    asked: CommandResult,
    action_id: str,
    value: str | None = None,
    *,
    replies: int = 1,
) -> list[dict[str, Any]]:
    """Click a button of the question `asked` showed (``value`` forges another), and wait for the replies."""
    clicked = sb.driver.block_action(
        user,
        action_id,
        button(asked, action_id)["value"] if value is None else value,
        message=asked.seen()[-1],
    )
    assert clicked.status == 200
    return sb.slack.wait_for_responses(clicked.sent["response_url"], replies, 60)
