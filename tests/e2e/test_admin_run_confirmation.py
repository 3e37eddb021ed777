"""`/coffee admin run` while a round is delivering or just began asks first; confirming starts the round."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from serendip.adapters.db.models import Round
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.round_blocks import MATCHING, NOT_STARTED, RUN_CANCEL, RUN_CONFIRM
from serendip.domain.lifecycle import RoundState
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox
from tests.support.admin_run import admin_run, button, click, first_round, program_id, rounds, set_up


def _age_rounds(sb: Sandbox, *, state: RoundState | None = None) -> None:
    """Every round began an hour ago (and is in ``state`` when given).

    A round put back to delivering is held by another worker's live lease, as a long round is;
    a free one would be claimed and closed by this bot's own delivery loop before the command."""
    values: dict[str, object] = {"started_at": utcnow() - timedelta(hours=1)}
    if state is not None:
        values["state"] = state
        values["lease_owner"] = "another-worker"
        values["lease_expires_at"] = utcnow() + timedelta(hours=1)
    with sb.bot.container.db.transaction() as session:
        session.execute(update(Round).values(**values))


@SQLITE_ONLY  # the question and its answers; a started round is stored on both engines in this module
def test_admin_run_minutes_after_a_round_asks_before_starting_another(sandbox: Sandbox) -> None:
    admin = set_up(sandbox)
    first_round(sandbox, admin)
    asked = admin_run(sandbox, admin)
    assert asked.json["response_type"] == "ephemeral"
    assert "was started less than 5 minutes ago" in str(asked.json["blocks"])
    assert button(asked, RUN_CONFIRM)["text"]["text"] == "Start another round"
    assert button(asked, RUN_CANCEL)["text"]["text"] == "Cancel"
    # Nothing but the question (in the ack, or after a "working" ack on a loaded machine).
    assert all(sent == asked.json for sent in asked.responses()) and rounds(sandbox) == 1


def test_start_another_round_starts_it_as_admin_run_does(sandbox: Sandbox) -> None:
    admin = set_up(sandbox)
    first_round(sandbox, admin)
    asked = admin_run(sandbox, admin)
    assert button(asked, RUN_CONFIRM)["value"].startswith(f"{program_id(sandbox)}:")
    matching, started = click(sandbox, admin, asked, RUN_CONFIRM, replies=2)
    assert matching["text"] == MATCHING and matching["replace_original"] is True
    assert "Round started" in started["text"] and "extra round" in started["text"]
    assert started["replace_original"] is True
    assert rounds(sandbox) == 2
    sandbox.slack.wait_until(lambda _: len(sandbox.slack.messages(sandbox.channel)) == 2, 30)  # its summary


@SQLITE_ONLY  # the question and its answers; a started round is stored on both engines in this module
def test_cancel_starts_no_round(sandbox: Sandbox) -> None:
    admin = set_up(sandbox)
    first_round(sandbox, admin)
    asked = admin_run(sandbox, admin)
    [cancelled] = click(sandbox, admin, asked, RUN_CANCEL)
    assert cancelled["text"] == NOT_STARTED and cancelled["replace_original"] is True
    assert rounds(sandbox) == 1


def test_admin_run_asks_while_a_round_is_still_delivering_however_long_ago_it_began(sandbox: Sandbox) -> None:
    admin = set_up(sandbox)
    first_round(sandbox, admin)
    _age_rounds(sandbox, state=RoundState.DELIVERING)  # a 10,000-pair round delivers for hours
    asked = admin_run(sandbox, admin)
    assert "is still being delivered" in str(asked.json["blocks"])
    assert rounds(sandbox) == 1


@SQLITE_ONLY  # the question and its answers; a started round is stored on both engines in this module
def test_admin_run_long_after_the_last_round_starts_at_once(sandbox: Sandbox) -> None:
    admin = set_up(sandbox)
    first_round(sandbox, admin)
    _age_rounds(sandbox)
    run = admin_run(sandbox, admin)
    # "Matching…" in the ack, then the answer; past the ack deadline the answer is all there is.
    answer = run.wait_for_responses(1, 60)[0]["text"] if run.text == MATCHING else run.text
    assert "Round started" in answer
    assert rounds(sandbox) == 2
