"""A missed member_joined_channel is repaired when a round starts, and only for the right people."""

from __future__ import annotations

from sqlalchemy import select

from serendip.adapters.db.models import Enrolment, Intro, IntroMember, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import tick
from serendip_sandbox.models import SandboxUser
from tests.e2e.conftest import Sandbox
from tests.support.rounds import publisher_for
from tests.support.wait import eventually


def _program_of(sb: Sandbox, members: list[str]) -> None:
    for user in sb.humans:
        if user not in members:
            sb.workspace.leave(sb.channel, user)
    sb.driver.slash_command(members[0], "admin setup", channel_id=sb.channel).wait_for_responses(
        1, timeout=20
    )


def _admin_run(sb: Sandbox) -> None:
    sb.driver.slash_command(sb.humans[0], "admin run", channel_id=sb.channel).wait_for_responses(
        1, timeout=20
    )


def _enrolment(sb: Sandbox, user: str) -> Enrolment | None:
    with sb.bot.container.db.transaction() as session:
        return session.scalars(
            select(Enrolment).join(Member, Member.id == Enrolment.member_id).where(Member.slack_id == user)
        ).one_or_none()


def _member(sb: Sandbox, user: str) -> Member | None:
    with sb.bot.container.db.transaction() as session:
        return session.scalars(select(Member).where(Member.slack_id == user)).one_or_none()


def _placed(sb: Sandbox, round_id: int) -> set[str]:
    with sb.bot.container.db.transaction() as session:
        return set(
            session.scalars(
                select(Member.slack_id)
                .join(IntroMember, IntroMember.member_id == Member.id)
                .join(Intro, Intro.id == IntroMember.intro_id)
                .where(Intro.round_id == round_id)
            )
        )


def _last_round(sb: Sandbox) -> int:
    with sb.bot.container.db.transaction() as session:
        return int(session.scalars(select(Round.id).order_by(Round.id.desc())).first() or 0)


def test_a_missed_join_is_welcomed_at_once_and_matched_from_the_next_round(sandbox: Sandbox) -> None:
    _program_of(sandbox, sandbox.humans[:4])
    newcomer = sandbox.humans[5]
    sandbox.workspace.join(sandbox.channel, newcomer)  # Slack's member_joined_channel never arrived

    _admin_run(sandbox)
    enrolment = _enrolment(sandbox, newcomer)
    assert enrolment is not None and not enrolment.opted_out
    sandbox.slack.wait_until(lambda ws: ws.dm_with(newcomer) is not None, 10)
    welcome = sandbox.slack.wait_for_messages(sandbox.workspace.dm_with(newcomer).id, 1)  # type: ignore[union-attr]
    assert "Welcome" in welcome[0]["text"] and "next round" in str(welcome[0]["blocks"])
    first = _last_round(sandbox)
    assert _placed(sandbox, first) == set(sandbox.humans[:4])  # the round being planned is not changed

    with sandbox.bot.container.db.transaction() as session:
        program_id = session.scalars(select(Program.id)).one()
    planned = tick.start_round(
        sandbox.bot.container.db,
        sandbox.bot.container.gateway,
        publisher_for(sandbox.slack),
        program_id=program_id,
        scheduled_for=utcnow(),
    )
    assert planned is not None
    assert newcomer in _placed(sandbox, planned.round_id)


def test_the_repair_respects_leave_forget_me_and_enrols_no_guest_bot_deactivated_or_other_org(
    sandbox: Sandbox,
) -> None:
    leaver, forgotten = sandbox.humans[1], sandbox.humans[2]
    _program_of(sandbox, sandbox.humans[:3])
    sandbox.driver.slash_command(leaver, "leave", channel_id=sandbox.channel)  # still in the channel
    sandbox.driver.block_action(forgotten, "forget_me_confirm", "confirm", channel_id=sandbox.channel)
    eventually(lambda: _member(sandbox, forgotten) is None)
    outsider = sandbox.workspace.add_user(
        SandboxUser(id="U0OUTSIDER1", team_id="T0OTHERORG", name="oona", real_name="Oona Outsider")
    ).id
    sandbox.workspace.join(sandbox.channel, outsider)  # Slack Connect: a member of another org
    others = [
        sandbox.user_where(is_restricted=True),
        sandbox.user_where(is_bot=True, is_app_user=False),
        sandbox.user_where(deleted=True),
    ]
    assert all(u in sandbox.workspace.channel_named("coffee-chats").members for u in others)

    _admin_run(sandbox)
    left = _enrolment(sandbox, leaver)
    assert left is not None and left.opted_out
    assert _member(sandbox, forgotten) is None and _enrolment(sandbox, forgotten) is None
    assert _member(sandbox, outsider) is None
    assert all(_enrolment(sandbox, u) is None for u in others)
    assert sandbox.workspace.dm_with(outsider) is None
