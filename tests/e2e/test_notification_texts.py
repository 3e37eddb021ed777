"""What people read in notifications, as Slack received it: names not ids, plurals, kind wording."""

from __future__ import annotations

import re
from typing import Any

import pytest

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import MemberBlock
from serendip.adapters.slack.views.intro_blocks import INTRO_EVENT_TYPE
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox

# Texts as Slack received them: the database is only on the way, so SQLite alone.
pytestmark = SQLITE_ONLY

RAW_ID = re.compile(r"\b[UWC][A-Z0-9]{8,}\b|<@|<#")


@pytest.fixture
def allow_member_setup() -> bool:
    """These tests have a plain member set the program up, so the operator allows it."""
    return True


def _setup(sb: Sandbox) -> str:
    admin = next(u for u in sb.humans if not (sb.workspace.user(u).is_admin or sb.workspace.user(u).is_owner))
    sb.driver.slash_command(admin, "admin setup", channel_id=sb.channel).wait_for_responses(1, 30)
    return admin


def _run(sb: Sandbox, admin: str) -> str:
    reply = sb.driver.slash_command(admin, "admin run", channel_id=sb.channel).wait_for_responses(1, 60)
    return str(reply[0]["text"])


def _summary(sb: Sandbox) -> dict[str, Any]:
    found = sb.slack.wait_until(
        lambda _: [m for m in sb.slack.messages(sb.channel) if "This round" in m["text"]], 60
    )
    return found[-1]


def _dm_texts(sb: Sandbox, user: str) -> list[str]:
    return [m["text"] for m in sb.slack.dm_messages(user)]


def test_intro_notifications_name_the_people_and_the_summary_counts_them_right(sandbox: Sandbox) -> None:
    sb = sandbox
    admin = _setup(sb)
    started = _run(sb, admin)
    assert re.search(
        r"Round started: \d+ people in \d+ intros\. Delivery estimate: about \d+ seconds? ", started
    )
    summary = _summary(sb)["text"]
    assert re.search(r"\d+ of \d+ intros delivered to \d+ people\.", summary)
    for conversation in sb.slack.group_dms():
        [intro] = [
            m
            for m in sb.slack.messages(conversation.id)
            if (m.get("metadata") or {}).get("event_type") == INTRO_EVENT_TYPE
        ]
        people = [u for u in conversation.members if u != sb.workspace.bot.id]
        assert not RAW_ID.search(intro["text"]), intro["text"]
        assert all(sb.workspace.user(u).real_name in intro["text"] for u in people)
        assert all(f"<@{u}>" in str(intro["blocks"]) for u in people)


def test_a_failed_intro_is_explained_in_plain_words_and_the_code_goes_to_the_admin(sandbox: Sandbox) -> None:
    sb = sandbox
    admin = _setup(sb)
    gone = next(
        u for u in sb.humans if u != admin and u in sb.workspace.channel_named("coffee-chats").members
    )
    sb.workspace.user(gone).deleted = True  # deactivated without Serendip hearing of it
    _run(sb, admin)
    summary = _summary(sb)["text"]
    assert "1 intro could not be delivered (someone's Slack account can't receive messages)" in summary
    assert "user_disabled" not in summary and "`" not in summary
    details = sb.slack.wait_until(
        lambda _: [t for t in _dm_texts(sb, admin) if "could not be delivered" in t], 10
    )
    assert "`user_disabled`" in details[-1] and "#coffee-chats" in details[-1]
    # Every DM the admin got (welcome, failure details) names the channel, never its raw id.
    assert _dm_texts(sb, admin) and not any(RAW_ID.search(t) for t in _dm_texts(sb, admin))


def test_someone_who_sits_out_is_not_told_that_anyone_blocked_them(sandbox: Sandbox) -> None:
    sb = sandbox
    admin = _setup(sb)
    members = [u for u in sb.workspace.channel_named("coffee-chats").members if u in sb.humans]
    loner = next(u for u in members if u != admin)
    with sb.bot.container.db.transaction() as session:
        member = repo.find_member(session, sb.workspace.team.id, loner)
        assert member is not None
        session.add_all(MemberBlock(member_id=member.id, blocked_slack_id=u) for u in members if u != loner)
    _run(sb, admin)
    assert "1 person sat out because of pairing restrictions" in _summary(sb)["text"]
    [note] = sb.slack.wait_until(lambda _: [t for t in _dm_texts(sb, loner) if "this round" in t], 10)
    assert "no group Serendip could put you in" in note and "next round" in note
    assert "#coffee-chats" in note and not RAW_ID.search(note)
    assert "block" not in note.casefold()


def _introduce(sb: Sandbox, asker: str, topic: str) -> None:
    asked = sb.driver.slash_command(asker, f"ask {topic}")
    [card] = [
        b["accessory"]
        for b in asked.json["blocks"]
        if (b.get("accessory") or {}).get("action_id") == "ask_introduce"
    ]
    sb.driver.block_action(asker, "ask_introduce", card["value"], message=asked.seen()[-1])


def test_ask_notifications_use_names_and_busy_experts_say_when_to_ask_again(sandbox: Sandbox) -> None:
    sb = sandbox
    asker, expert, other = sb.humans[4], sb.humans[1], sb.humans[5]
    sb.without_slack_department(asker, expert, other)
    _setup(sb)
    sb.driver.slash_command(expert, "team Platform")
    sb.driver.slash_command(expert, "expertise add kubernetes")
    sb.driver.slash_command(asker, "team Sales")
    sb.driver.slash_command(other, "team Data")
    _introduce(sb, asker, "kubernetes")
    request = sb.slack.wait_until(
        lambda _: [t for t in _dm_texts(sb, expert) if "would like to ask you" in t], 10
    )[-1]
    asker_name, expert_name = sb.workspace.user(asker).real_name, sb.workspace.user(expert).real_name
    assert request == f"{asker_name} would like to ask you about kubernetes"
    dm = next(m for m in sb.slack.dm_messages(expert) if "would like" in m["text"])
    accept = next(
        e for b in dm["blocks"] for e in b.get("elements", []) if e.get("action_id") == "ask_accept"
    )
    sb.driver.block_action(expert, "ask_accept", accept["value"], message=dm)
    group = sb.slack.wait_until(lambda ws: [c for c in ws.mpims() if c.messages], 10)[0]
    assert sb.slack.messages(group.id)[0]["text"] == f"{asker_name}, meet {expert_name}"
    _introduce(sb, other, "kubernetes")  # the expert's second request this week: the weekly limit
    other_name = sb.workspace.user(other).real_name
    sb.slack.wait_until(
        lambda _: f"{other_name} would like to ask you about kubernetes" in _dm_texts(sb, expert), 10
    )
    busy = sb.driver.slash_command(asker, "ask kubernetes")
    said = " ".join(str(b.get("text", {}).get("text", "")) for b in busy.json["blocks"])
    assert "can be asked again from" in said
    assert "`/coffee ask kubernetes`" not in said
