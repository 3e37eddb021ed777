"""A second `admin run` within minutes (a replay signed afresh, or a slip) starts nothing without a
confirmation, and the confirmation button cannot be forged, reused or clicked by someone else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from serendip.adapters.slack.listeners.run_confirm import NOT_VALID
from serendip.adapters.slack.views.round_blocks import RUN_CONFIRM
from serendip.services.lifecycle.manual import PAUSED
from serendip.services.permissions import REFUSED
from serendip.services.round_commands import GONE, OVERTAKEN
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox, running_sandbox
from tests.security.conftest import error_records
from tests.support.admin_run import admin_run, click, first_round, program_id, rounds, set_up


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    """A program whose first round was just delivered."""
    with running_sandbox(database_url, people=12, departments=3, seed=7) as sb:
        first_round(sb, set_up(sb))
        yield sb


def _owner(sb: Sandbox) -> str:
    return next(u for u in sb.humans if sb.workspace.user(u).is_owner)


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in error_records(caplog)]


def test_admin_run_sent_again_within_minutes_asks_to_confirm_and_starts_no_second_round(
    sandbox: Sandbox,
) -> None:
    again = admin_run(sandbox, _owner(sandbox))
    assert again.status == 200 and "Start another round" in str(again.json["blocks"])
    assert all(sent == again.json for sent in again.responses())  # the question only
    assert rounds(sandbox) == 1


def test_a_non_admin_clicking_start_another_round_starts_nothing(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    owner = _owner(sandbox)
    asked = admin_run(sandbox, owner)
    plain = next(u for u in sandbox.humans if not sandbox.workspace.user(u).is_admin)
    [_, refused] = click(sandbox, plain, asked, RUN_CONFIRM, replies=2)
    assert refused["text"] == REFUSED.format(name="run", creator=f" (<@{owner}>)")
    assert rounds(sandbox) == 1 and _errors(caplog) == []


def test_start_another_round_for_a_program_that_does_not_exist_starts_nothing(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    asked = admin_run(sandbox, _owner(sandbox))
    [_, refused] = click(
        sandbox, _owner(sandbox), asked, RUN_CONFIRM, f"{program_id(sandbox) + 1}:1", replies=2
    )
    assert refused["text"] == GONE
    assert rounds(sandbox) == 1 and _errors(caplog) == []


@SQLITE_ONLY
@pytest.mark.parametrize(
    "value",
    ["²", "1", "1:2:3", "9" * 40, "1:" + "9" * 40, "١:١", " 1:1", "-1:1", "1.0:1", "cancel"],
    ids=[
        "superscript",
        "no-round",
        "three-parts",
        "huge",
        "huge-round",
        "arabic-digits",
        "space",
        "negative",
        "float",
        "word",
    ],
)
def test_hostile_start_another_round_values_are_refused_with_a_message(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    asked = admin_run(sandbox, _owner(sandbox))
    [refused] = click(sandbox, _owner(sandbox), asked, RUN_CONFIRM, value)
    assert refused["text"] == NOT_VALID
    assert rounds(sandbox) == 1 and _errors(caplog) == []


def test_a_second_click_on_start_another_round_starts_nothing_twice(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    owner = _owner(sandbox)
    asked = admin_run(sandbox, owner)
    assert "Round started" in click(sandbox, owner, asked, RUN_CONFIRM, replies=2)[-1]["text"]
    [_, again] = click(sandbox, owner, asked, RUN_CONFIRM, replies=2)
    assert again["text"] == OVERTAKEN
    assert rounds(sandbox) == 2 and _errors(caplog) == []


def test_start_another_round_on_a_program_paused_since_the_question_starts_nothing(sandbox: Sandbox) -> None:
    owner = _owner(sandbox)
    asked = admin_run(sandbox, owner)
    assert (
        "rounds paused" in sandbox.driver.slash_command(owner, "admin pause", channel_id=sandbox.channel).text
    )
    [_, refused] = click(sandbox, owner, asked, RUN_CONFIRM, replies=2)
    assert refused["text"] == PAUSED
    assert rounds(sandbox) == 1
