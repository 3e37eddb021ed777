"""Making a channel a program: only workspace admins and owners (full members when the operator allows
it, guests never), and only in a channel the bot is in; each refusal is one clear ephemeral line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from serendip.adapters.db.models import Program
from serendip.services.permissions import REFUSED, SETUP_FOR_ADMINS, SETUP_NOT_FOR_GUESTS
from serendip.services.program_admin import SETUP_ELSEWHERE
from serendip_sandbox.driver import CommandResult
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox, running_sandbox
from tests.security.conftest import error_records

# Who may set a program up is a permission: the database is only on the way, so SQLite alone.
pytestmark = SQLITE_ONLY

CREATED = "now a Serendip program"


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    """The bot as shipped: SERENDIP_ALLOW_MEMBER_SETUP unset."""
    with running_sandbox(database_url, people=12, departments=3, seed=7) as sb:
        yield sb


@pytest.fixture
def open_sandbox(database_url: str) -> Iterator[Sandbox]:
    """The bot with SERENDIP_ALLOW_MEMBER_SETUP=true."""
    with running_sandbox(database_url, people=12, departments=3, seed=7, allow_member_setup=True) as sb:
        yield sb


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in error_records(caplog)]


def _programs(sb: Sandbox) -> int:
    with sb.bot.container.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Program)) or 0)


def _plain(sb: Sandbox) -> str:
    """A full member who is neither a workspace admin nor an owner."""
    return next(u for u in sb.humans if not (sb.workspace.user(u).is_admin or sb.workspace.user(u).is_owner))


def _owner(sb: Sandbox) -> str:
    return next(u for u in sb.humans if sb.workspace.user(u).is_owner)


def _setup(sb: Sandbox, user: str, channel: str | None = "") -> CommandResult:
    return sb.driver.slash_command(user, "admin setup", channel_id=sb.channel if channel == "" else channel)


def _refused_quietly(sb: Sandbox, answer: CommandResult, text: str, caplog: pytest.LogCaptureFixture) -> None:
    """One ephemeral line in the ack, nothing set up, nothing sent, nothing logged as an error."""
    assert answer.status == 200 and answer.json["response_type"] == "ephemeral"
    assert answer.text == text
    # Nothing after it (the answer itself, after a "working" ack on a loaded machine).
    assert all(sent == answer.json for sent in answer.responses())
    assert _programs(sb) == 0 and sb.slack.count("chat.postMessage") == 0
    assert _errors(caplog) == []


def test_a_plain_member_cannot_make_a_channel_a_program(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    answer = _setup(sandbox, _plain(sandbox))
    _refused_quietly(sandbox, answer, SETUP_FOR_ADMINS, caplog)
    assert "workspace admins and owners" in answer.text and "SERENDIP_ALLOW_MEMBER_SETUP" in answer.text


def test_a_guest_cannot_make_a_channel_a_program(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    guest = sandbox.user_where(is_restricted=True)
    assert guest in sandbox.workspace.conversations[sandbox.channel].members
    _refused_quietly(sandbox, _setup(sandbox, guest), SETUP_NOT_FOR_GUESTS.format(members=""), caplog)


def test_a_guest_cannot_make_a_channel_a_program_even_when_members_may(
    open_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    guest = open_sandbox.user_where(is_restricted=True)
    expected = SETUP_NOT_FOR_GUESTS.format(members=" (or any full member)")
    _refused_quietly(open_sandbox, _setup(open_sandbox, guest), expected, caplog)


def test_a_member_who_became_a_guest_since_the_bot_met_them_cannot_make_a_channel_a_program(
    open_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sb, member = open_sandbox, _plain(open_sandbox)
    assert "`rust`" in sb.driver.slash_command(member, "expertise add rust", channel_id=sb.channel).text
    sb.workspace.user(member).is_restricted = True  # stored as a full member; Slack says guest now
    _refused_quietly(
        sb, _setup(sb, member), SETUP_NOT_FOR_GUESTS.format(members=" (or any full member)"), caplog
    )


def test_a_demoted_workspace_admin_cannot_make_a_channel_a_program(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    admin = next(
        u for u in sandbox.humans if sandbox.workspace.user(u).is_admin and not _is_owner(sandbox, u)
    )
    assert (
        "`rust`" in sandbox.driver.slash_command(admin, "expertise add rust", channel_id=sandbox.channel).text
    )
    sandbox.workspace.user(admin).is_admin = False  # stored as an admin; Slack says member now
    _refused_quietly(sandbox, _setup(sandbox, admin), SETUP_FOR_ADMINS, caplog)


def _is_owner(sb: Sandbox, user: str) -> bool:
    return sb.workspace.user(user).is_owner


def test_a_workspace_admin_who_is_not_an_owner_makes_a_channel_a_program(sandbox: Sandbox) -> None:
    admin = next(
        u for u in sandbox.humans if sandbox.workspace.user(u).is_admin and not _is_owner(sandbox, u)
    )
    assert CREATED in _setup(sandbox, admin).wait_for_responses(1, 20)[0]["text"]
    assert _programs(sandbox) == 1


def test_any_full_member_makes_a_channel_a_program_when_the_operator_allows_it(open_sandbox: Sandbox) -> None:
    assert CREATED in _setup(open_sandbox, _plain(open_sandbox)).wait_for_responses(1, 20)[0]["text"]
    assert _programs(open_sandbox) == 1


def test_a_member_allowed_to_set_up_cannot_take_over_an_existing_program_by_running_setup_again(
    open_sandbox: Sandbox,
) -> None:
    sb = open_sandbox
    owner = _owner(sb)
    assert CREATED in _setup(sb, owner).wait_for_responses(1, 20)[0]["text"]
    again = _setup(sb, _plain(sb))
    assert again.text == REFUSED.format(name="setup", creator=f" (<@{owner}>)")
    with sb.bot.container.db.transaction() as session:
        assert session.scalars(select(Program.created_by)).one() == owner


def test_setup_typed_in_a_dm_says_where_setup_works_and_logs_no_error(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    answer = _setup(sandbox, _owner(sandbox), channel=None)  # the owner's DM with the app
    assert answer.sent["channel_id"].startswith("D")
    _refused_quietly(sandbox, answer, SETUP_ELSEWHERE, caplog)


def test_setup_typed_in_a_group_dm_with_the_bot_says_where_setup_works_and_logs_no_error(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    owner = _owner(sandbox)
    group, _ = sandbox.workspace.open_dm([owner, _plain(sandbox)])  # conversations.info: missing_scope
    _refused_quietly(sandbox, _setup(sandbox, owner, channel=group.id), SETUP_ELSEWHERE, caplog)


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_setup_in_a_channel_the_bot_is_not_in_says_where_setup_works_and_logs_no_error(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, private: bool
) -> None:
    owner = _owner(sandbox)
    elsewhere = sandbox.workspace.add_channel("random", sandbox.humans, private=private, creator=owner)
    _refused_quietly(sandbox, _setup(sandbox, owner, channel=elsewhere.id), SETUP_ELSEWHERE, caplog)
