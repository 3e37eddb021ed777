"""Attack: a member used `forget-me`, and the database still names them somewhere.

The check reflects the live schema (every table, every column, JSON rendered as text), so a table
added later is searched too without anyone remembering to add it here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import AuditEntry, DoNotEnrol, Member, MemberBlock, Program, Round
from serendip_sandbox.models import SandboxUser
from tests.e2e.conftest import Sandbox, running_sandbox
from tests.support.people_import import import_people
from tests.support.wait import eventually

VICTIM_ID = "U0VIVIEN01"
NAME = "Vivienne Quarry"
HANDLE = "vivienne.quarry"
EMAIL = "vq-private@example.test"

# Tables that keep a row because of the person, and why. Their columns are searched like any other:
# keeping a row never means keeping the id, the name or the e-mail.
KEPT_ON_PURPOSE = {
    "do_not_enrol": "a keyed HMAC of the id (no id, name or e-mail): automatic paths never re-enrol them",
    "audit_log": "the action stays, with the member replaced by 'deleted user' and their free text gone",
}


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    """A 12-person workspace plus the victim, a workspace admin in #coffee-chats."""
    with running_sandbox(database_url, people=12, departments=3, seed=7) as sb:
        team = sb.workspace.team.id
        sb.workspace.add_user(
            SandboxUser(id=VICTIM_ID, team_id=team, name=HANDLE, real_name=NAME, email=EMAIL, is_admin=True)
        )
        sb.workspace.join(sb.channel, VICTIM_ID)
        yield sb


def _say(sb: Sandbox, user: str, text: str, *, later: bool = False) -> str:
    """The command's answer (``later``: the one sent through response_url after the ack)."""
    result = sb.driver.slash_command(user, text, channel_id=sb.channel)
    return str(result.wait_for_responses(1, timeout=30)[0]) if later else str(result.json)


def _stored_values(sb: Sandbox) -> Iterator[tuple[str, str]]:
    """(table.column, value as text) for every non-empty value in every reflected table."""
    engine = sb.bot.container.db.engine
    meta = MetaData()
    meta.reflect(bind=engine)
    assert {"members", "audit_log", "rounds", "programs"} <= set(meta.tables)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(table.select()):
                for column, value in zip(table.columns, row, strict=True):
                    if value is not None:
                        yield f"{table.name}.{column.name}", _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _mentions(sb: Sandbox) -> list[str]:
    needles = [VICTIM_ID, NAME, HANDLE, EMAIL]
    return sorted(
        f"{where} holds {needle!r}"
        for where, text in _stored_values(sb)
        for needle in needles
        if needle.casefold() in text.casefold()
    )


def _everywhere(sb: Sandbox, tmp_path: Path, database_url: str) -> str:
    """Put the victim in every place a person can be stored; return a colleague admin's id."""
    team = sb.workspace.team.id
    victim, colleague, other = VICTIM_ID, sb.humans[0], sb.humans[1]
    assert "now a Serendip program" in _say(sb, victim, "admin setup", later=True)  # creator, enrolled
    _say(sb, victim, "interests add chess, gardening")
    _say(sb, victim, "expertise add kubernetes")
    _say(sb, victim, f"admin admins add <@{colleague}>")  # added_by: the victim
    _say(sb, colleague, f"admin admins add <@{victim}|{HANDLE}>")  # a named admin, in the audit detail
    _say(sb, victim, f"admin set welcome Questions? Ask {NAME} at {EMAIL} or @{HANDLE}")
    _say(sb, colleague, f"admin set welcome Welcome! <@{victim}> runs this")  # their id in others' text
    import_people(tmp_path, database_url, team, f"id,manager_id\n{other},{victim}\n")  # someone's manager

    run = _say(sb, victim, "admin run", later=True)
    assert "Round started" in run
    conversation = sb.slack.wait_until(
        lambda _: next((c for c in sb.slack.group_dms() if victim in c.members), None), 30
    )
    intro = sb.slack.wait_for_messages(conversation.id, 1, timeout=30)[0]
    intro_id = str(intro["metadata"]["event_payload"]["intro_id"])
    sb.driver.block_action(victim, "intro_met", intro_id, channel_id=conversation.id, message=intro)

    with sb.bot.container.db.transaction() as session:
        others = {m.slack_id: m.id for m in session.scalars(select(Member).where(Member.slack_id != victim))}
        me = repo.find_member(session, team, victim)
        assert me is not None
        # Block lists have no command of their own: the rows as the matcher reads them.
        session.add(MemberBlock(member_id=others[colleague], blocked_slack_id=victim))
        session.add(MemberBlock(member_id=me.id, blocked_slack_id=other))
        # A sat-out or lone victim can't be forced through the matcher in a 13-person round; the
        # notes are stored exactly as plan_round stores them.
        round_ = session.scalars(select(Round)).one()
        quality = dict(round_.quality or {})
        round_.quality = {**quality, "lone": victim, "sat_out": {victim: "no_partner", other: "no_partner"}}
    return colleague


def _rows_pointing_at(sb: Sandbox, member_pk: int) -> list[str]:
    """Every column holding a foreign key to members.id whose value is this member's row id."""
    engine = sb.bot.container.db.engine
    meta = MetaData()
    meta.reflect(bind=engine)
    found = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "members" for fk in column.foreign_keys):
                    hits = conn.scalar(select(func.count()).where(column == member_pk))
                    if hits:
                        found.append(f"{table.name}.{column.name}")
    return sorted(found)


def _member_pk(sb: Sandbox) -> int | None:
    with sb.bot.container.db.transaction() as session:
        member = repo.find_member(session, sb.workspace.team.id, VICTIM_ID)
        return None if member is None else member.id


def test_forget_me_leaves_no_id_name_or_email_in_any_table_or_column(
    sandbox: Sandbox, tmp_path: Path, database_url: str
) -> None:
    sb = sandbox
    colleague = _everywhere(sb, tmp_path, database_url)
    member_pk = _member_pk(sb)
    assert member_pk is not None
    pointing = eventually(
        lambda: "intro_outcomes.member_id" in (found := _rows_pointing_at(sb, member_pk)) and found
    )
    assert {
        "enrolments.member_id",
        "member_tags.member_id",
        "intro_members.member_id",
        "member_blocks.member_id",
    } <= set(pointing)
    before = _mentions_by_table(sb)
    assert {"members", "member_blocks", "programs", "program_admins", "audit_log", "rounds"} <= before
    with sb.bot.container.db.transaction() as session:
        audit_rows = session.scalar(select(func.count()).select_from(AuditEntry))

    asked = sb.driver.slash_command(VICTIM_ID, "forget-me", channel_id=sb.channel)
    assert "already posted" in str(asked.json)  # the dialog says what Slack itself keeps
    sb.driver.block_action(
        VICTIM_ID, "forget_me_confirm", "confirm", channel_id=sb.channel, message=asked.seen()[-1]
    )
    eventually(lambda: _member_pk(sb) is None)

    assert _mentions(sb) == []
    assert _rows_pointing_at(sb, member_pk) == []
    with sb.bot.container.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DoNotEnrol)) == 1
        # The audit keeps every action (plus the forget-me itself), by "deleted user".
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == (audit_rows or 0) + 1
        assert "deleted user" in set(session.scalars(select(AuditEntry.actor)))
        program = session.scalars(select(Program)).one()
        assert program.created_by is None and program.welcome_text is not None
        assert repo.find_member(session, sb.workspace.team.id, colleague) is not None
    # The forgotten creator's rights are gone with them; the named admin still runs the program.
    assert "paused" in _say(sb, colleague, "admin pause").casefold()


def _mentions_by_table(sb: Sandbox) -> set[str]:
    return {m.split(".", 1)[0] for m in _mentions(sb)}


def _member_gone(sb: Sandbox) -> bool:
    with sb.bot.container.db.transaction() as session:
        return repo.find_member(session, sb.workspace.team.id, VICTIM_ID) is None
