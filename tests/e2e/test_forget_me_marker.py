"""After forget-me, nothing automatic brings the person back; their own `/coffee join` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, func, select

from serendip.adapters.db.models import DoNotEnrol, Enrolment, Member
from serendip.services import directory_sync
from serendip_sandbox.models import SandboxUser
from tests.e2e.conftest import Sandbox
from tests.support.people_import import import_people
from tests.support.wait import eventually


def _member(sb: Sandbox, user: str) -> Member | None:
    with sb.bot.container.db.transaction() as session:
        return session.scalars(select(Member).where(Member.slack_id == user)).one_or_none()


def _enrolled(sb: Sandbox, user: str) -> bool:
    with sb.bot.container.db.transaction() as session:
        return (
            session.scalars(
                select(Enrolment.id)
                .join(Member, Member.id == Enrolment.member_id)
                .where(Member.slack_id == user, Enrolment.opted_out.is_(False))
            ).one_or_none()
            is not None
        )


def _markers(sb: Sandbox) -> int:
    with sb.bot.container.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(DoNotEnrol)) or 0)


def _rows_mentioning(sb: Sandbox, text: str) -> list[str]:
    """Every (table.column) whose stored value contains ``text``, over every reflected table."""
    engine = sb.bot.container.db.engine
    meta = MetaData()
    meta.reflect(bind=engine)
    found = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(table.select()):
                for column, value in zip(table.columns, row, strict=True):
                    if isinstance(value, str | dict | list) and text in _text(value):
                        found.append(f"{table.name}.{column.name}")
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _sync(sb: Sandbox) -> None:
    directory_sync.sync_directory(
        sb.bot.container.db, sb.bot.container.gateway, team_id=sb.workspace.team.id, label="Department"
    )


def test_after_forget_me_no_sync_event_import_or_repair_stores_their_id_and_join_brings_them_back(
    sandbox: Sandbox, database_url: str, tmp_path: Path
) -> None:
    sb, team = sandbox, sandbox.workspace.team.id
    victim, colleague = sb.humans[2], sb.humans[3]
    sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel).wait_for_responses(
        1, timeout=20
    )
    import_people(tmp_path, database_url, team, f"id,manager_id\n{colleague},{victim}\n")
    _sync(sb)
    assert _rows_mentioning(sb, victim)

    sb.driver.block_action(victim, "forget_me_confirm", "confirm", channel_id=sb.channel)
    eventually(lambda: _member(sb, victim) is None)
    assert _rows_mentioning(sb, victim) == [] and _markers(sb) == 1

    # Everything automatic that used to bring them back: the nightly sync, Slack's events, the HR
    # import (as a person and as someone's manager) and the round's repair of missed joins.
    _sync(sb)
    sb.driver.user_change(victim)
    sb.driver.member_joined_channel(victim, sb.channel)
    out = import_people(
        tmp_path,
        database_url,
        team,
        f"id,name,department,timezone,manager_id\n{victim},Vic,Sales,Europe/Berlin,\n{colleague},,,,{victim}\n",
    )
    assert "loaded 1 people" in out and "1 skipped" in out
    sb.driver.slash_command(sb.humans[0], "admin run", channel_id=sb.channel).wait_for_responses(
        1, timeout=20
    )
    # Events are handled off the request thread: a later one being done means the earlier ones ran.
    canary = sb.workspace.add_user(SandboxUser(id="U0CANARY01", team_id=team, name="c", real_name="Cy")).id
    sb.driver.member_joined_channel(canary, sb.channel)
    eventually(lambda: _enrolled(sb, canary))
    assert _rows_mentioning(sb, victim) == []
    assert _markers(sb) == 1

    reply = sb.driver.slash_command(victim, "join", channel_id=sb.channel)
    assert "You're in" in reply.text
    assert _enrolled(sb, victim) and _markers(sb) == 0
