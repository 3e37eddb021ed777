"""A time zone from the HR import is kept over Slack's; without one, Slack's is followed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from serendip.adapters.db.models import Member
from serendip.services import directory_sync
from tests.e2e.conftest import Sandbox
from tests.support.people_import import import_people
from tests.support.wait import eventually


def _facts(sb: Sandbox, user: str) -> tuple[str, str, str | None]:
    with sb.bot.container.db.transaction() as session:
        name, tz, source = session.execute(
            select(Member.real_name, Member.tz, Member.tz_source).where(Member.slack_id == user)
        ).one()
        return name, tz, source


def _move(sb: Sandbox, user: str, *, tz: str, name: str) -> None:
    with sb.workspace.lock:
        person = sb.workspace.user(user)
        person.tz, person.real_name = tz, name
    assert sb.driver.user_change(user).status == 200


def test_a_zone_from_import_people_is_not_overwritten_by_user_change_or_the_sync(
    sandbox: Sandbox, database_url: str, tmp_path: Path
) -> None:
    sb = sandbox
    hr_person, slack_person = sb.humans[1], sb.humans[2]
    sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel).wait_for_responses(
        1, timeout=20
    )
    import_people(tmp_path, database_url, sb.workspace.team.id, f"id,timezone\n{hr_person},Europe/Berlin\n")

    _move(sb, hr_person, tz="America/New_York", name="Hana Moved")
    _move(sb, slack_person, tz="Asia/Tokyo", name="Sara Moved")
    eventually(lambda: _facts(sb, hr_person)[0] == "Hana Moved")  # the event was applied...
    assert _facts(sb, hr_person) == ("Hana Moved", "Europe/Berlin", "hr")  # ...but not its zone
    eventually(lambda: _facts(sb, slack_person) == ("Sara Moved", "Asia/Tokyo", "slack"))

    directory_sync.sync_directory(
        sb.bot.container.db, sb.bot.container.gateway, team_id=sb.workspace.team.id, label="Department"
    )
    assert _facts(sb, hr_person)[1:] == ("Europe/Berlin", "hr")
