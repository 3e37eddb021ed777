"""A member seen for the first time gets their Slack profile read in the background."""

from __future__ import annotations

from sqlalchemy import select

from serendip.adapters.db.models import Member
from serendip.services import directory_sync
from serendip_sandbox.models import SandboxUser
from tests.e2e.conftest import Sandbox
from tests.support.wait import eventually


def _department(sb: Sandbox, user: str) -> tuple[str | None, str | None]:
    with sb.bot.container.db.transaction() as session:
        row = session.execute(
            select(Member.department, Member.department_source).where(Member.slack_id == user)
        ).one_or_none()
        return (row[0], row[1]) if row else (None, None)


def _sync(sb: Sandbox) -> None:
    directory_sync.sync_directory(
        sb.bot.container.db, sb.bot.container.gateway, team_id=sb.workspace.team.id, label="Department"
    )


def test_admin_setup_answers_before_any_profile_is_read_and_departments_follow(sandbox: Sandbox) -> None:
    # The first profile read waits out a 4-second rate limit: had setup waited for it, no answer yet.
    sandbox.slack.burst_429("users.profile.get", 1, retry_after=4)
    result = sandbox.driver.slash_command(sandbox.humans[0], "admin setup", channel_id=sandbox.channel)
    assert "now a Serendip program" in result.wait_for_responses(1, timeout=20)[0]["text"]
    assert sandbox.slack.count("users.profile.get", ok=True) == 0
    expected = {user: (sandbox.workspace.department_of(user), "directory") for user in sandbox.humans}
    eventually(lambda: all(_department(sandbox, u) == d for u, d in expected.items()), timeout=30)


def test_someone_new_since_the_sync_gets_their_slack_department_and_coffee_team_does_not_override_it(
    sandbox: Sandbox,
) -> None:
    sandbox.driver.slash_command(
        sandbox.humans[0], "admin setup", channel_id=sandbox.channel
    ).wait_for_responses(1, timeout=20)
    _sync(sandbox)
    newcomer = sandbox.workspace.add_user(
        SandboxUser(
            id="U0NEWCOMER1",
            team_id=sandbox.workspace.team.id,
            name="nia",
            real_name="Nia Okafor",
            email="nia@example.com",
            tz="Europe/Berlin",
        )
    ).id
    sandbox.workspace.set_field(newcomer, "Department", "Research Lab")
    assert sandbox.driver.member_joined_channel(newcomer, sandbox.channel).status == 200

    eventually(lambda: _department(sandbox, newcomer) == ("Research Lab", "directory"))
    reply = sandbox.driver.slash_command(newcomer, "team Marketing", channel_id=sandbox.channel)
    assert "Slack profile" in reply.text
    assert _department(sandbox, newcomer) == ("Research Lab", "directory")
