"""Joining and leaving a program channel, as Slack's events."""

from __future__ import annotations

from sqlalchemy import select

from serendip.adapters.db.models import Enrolment, Member
from tests.e2e.conftest import Sandbox
from tests.support.wait import eventually


def _enrolment(sb: Sandbox, user: str) -> Enrolment | None:
    with sb.bot.container.db.transaction() as session:
        return session.scalars(
            select(Enrolment).join(Member, Member.id == Enrolment.member_id).where(Member.slack_id == user)
        ).one_or_none()


def _program_with_one_member(sb: Sandbox) -> None:
    for user in sb.humans[1:]:
        sb.workspace.leave(sb.channel, user)
    sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel).wait_for_responses(
        1, timeout=20
    )


def test_someone_joining_the_channel_is_enrolled_and_welcomed(sandbox: Sandbox) -> None:
    _program_with_one_member(sandbox)
    newcomer = sandbox.humans[4]
    sandbox.workspace.join(sandbox.channel, newcomer)
    assert sandbox.driver.member_joined_channel(newcomer, sandbox.channel).status == 200
    sandbox.slack.wait_until(lambda ws: ws.dm_with(newcomer) is not None, 10)
    welcome = sandbox.slack.wait_for_messages(sandbox.workspace.dm_with(newcomer).id, 1)  # type: ignore[union-attr]
    assert "Welcome" in welcome[0]["text"]
    enrolment = _enrolment(sandbox, newcomer)
    assert enrolment is not None and not enrolment.opted_out


def test_someone_joining_a_circles_program_is_welcomed_to_circles_and_asked_for_topics(
    sandbox: Sandbox,
) -> None:
    _program_with_one_member(sandbox)
    changed = sandbox.driver.slash_command(
        sandbox.humans[0], "admin set kind circles", channel_id=sandbox.channel
    )
    assert "circles" in changed.text
    newcomer = sandbox.humans[4]
    sandbox.workspace.join(sandbox.channel, newcomer)
    assert sandbox.driver.member_joined_channel(newcomer, sandbox.channel).status == 200
    sandbox.slack.wait_until(lambda ws: ws.dm_with(newcomer) is not None, 10)
    welcome = sandbox.slack.wait_for_messages(sandbox.workspace.dm_with(newcomer).id, 1)  # type: ignore[union-attr]
    text = str(welcome[0]["blocks"])
    assert "circles" in text and "The next season starts" in text and "/coffee interests add" in text
    assert "introduce you to someone" not in text


def test_leaving_the_channel_opts_out(sandbox: Sandbox) -> None:
    _program_with_one_member(sandbox)
    sandbox.driver.member_left_channel(sandbox.humans[0], sandbox.channel)
    eventually(lambda: (_enrolment(sandbox, sandbox.humans[0]) or Enrolment()).opted_out)


def test_guests_bots_and_the_bot_itself_are_never_enrolled(sandbox: Sandbox) -> None:
    _program_with_one_member(sandbox)
    for user in (
        sandbox.user_where(is_restricted=True),
        sandbox.user_where(is_bot=True),
        sandbox.workspace.bot.id,
    ):
        assert sandbox.driver.member_joined_channel(user, sandbox.channel).status == 200
    sandbox.driver.member_joined_channel(sandbox.humans[5], sandbox.channel)
    eventually(lambda: _enrolment(sandbox, sandbox.humans[5]) is not None)
    for user in (
        sandbox.user_where(is_restricted=True),
        sandbox.user_where(is_bot=True),
        sandbox.workspace.bot.id,
    ):
        assert _enrolment(sandbox, user) is None


def test_a_deactivation_seen_in_user_change_is_stored(sandbox: Sandbox) -> None:
    _program_with_one_member(sandbox)
    member = sandbox.humans[0]
    sandbox.workspace.deactivate(member)
    assert sandbox.driver.user_change(member).status == 200

    def deleted(_: object) -> bool:
        with sandbox.bot.container.db.transaction() as session:
            return bool(session.scalars(select(Member.is_deleted).where(Member.slack_id == member)).one())

    eventually(lambda: deleted(None))


def test_a_department_change_seen_in_user_change_is_stored(sandbox: Sandbox) -> None:
    _program_with_one_member(sandbox)
    from serendip.services import directory_sync

    directory_sync.sync_directory(
        sandbox.bot.container.db,
        sandbox.bot.container.gateway,
        team_id=sandbox.workspace.team.id,
        label="Department",
    )
    member = sandbox.humans[0]
    sandbox.workspace.set_field(member, "Department", "Research Lab")
    assert sandbox.driver.user_change(member).status == 200

    def department(_: object) -> bool:
        with sandbox.bot.container.db.transaction() as session:
            return (
                session.scalars(select(Member.department).where(Member.slack_id == member)).one()
                == "Research Lab"
            )

    eventually(lambda: department(None))
