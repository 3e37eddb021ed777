"""`/coffee my-data` driven as Slack drives it: the JSON file lands in the member's DM."""

from __future__ import annotations

import json
from typing import Any

import pytest

from serendip_sandbox.models import SandboxUser
from tests.e2e.conftest import Sandbox
from tests.e2e.test_admin_commands import _plain, _setup


@pytest.fixture
def allow_member_setup() -> bool:
    """A plain member sets the program up here, so the operator allows it."""
    return True


def _my_data(sb: Sandbox, user: str) -> tuple[str, list[Any]]:
    result = sb.driver.slash_command(user, "my-data", channel_id=sb.channel)
    answer = str(result.answer_after("Gathering", timeout=30))
    return answer, sb.slack.uploaded_files()


def _answer_intro(sb: Sandbox, user: str) -> tuple[str, list[str]]:
    """Run a round, click "We met" as ``user``; the group DM and the others in it."""
    run = sb.driver.slash_command(_plain(sb)[0], "admin run", channel_id=sb.channel)
    assert "Round started" in run.wait_for_responses(1, timeout=30)[0]["text"]
    group = sb.slack.wait_until(
        lambda _: next((c for c in sb.slack.group_dms() if user in c.members), None), 30
    )
    intro = sb.slack.wait_for_messages(group.id, 1, timeout=30)[0]
    intro_id = str(intro["metadata"]["event_payload"]["intro_id"])
    sb.driver.block_action(user, "intro_met", intro_id, channel_id=group.id, message=intro)
    others = [u for u in group.members if u not in (user, sb.workspace.bot.id)]
    return group.id, others


def test_my_data_sends_everything_stored_about_the_member_to_their_dm_and_nothing_of_others(
    sandbox: Sandbox,
) -> None:
    sb = sandbox
    _setup(sb, _plain(sb)[0])
    user = _plain(sb)[1]
    sb.driver.slash_command(user, "interests add chess, gardening", channel_id=sb.channel)
    sb.driver.slash_command(user, "expertise add kubernetes", channel_id=sb.channel)
    sb.driver.slash_command(user, "skip", channel_id=sb.channel)
    sb.driver.slash_command(user, "resume", channel_id=sb.channel)
    _, others = _answer_intro(sb, user)
    sb.driver.slash_command(user, "pause 2w", channel_id=sb.channel)

    answer, [upload] = _my_data(sb, user)
    assert "in your DM" in answer
    dm = sb.slack.workspace.dm_with(user)
    assert dm is not None and upload.shares[0][0] == dm.id and upload.name.endswith(".json")
    data = json.loads((upload.data or b"").decode())

    me = sb.workspace.user(user)
    assert data["profile"]["slack_id"] == user and data["profile"]["real_name"] == me.real_name
    assert data["profile"]["email"] == me.email and data["profile"]["department_source"]
    assert data["tags"] == {"expertise": ["kubernetes"], "interests": ["chess", "gardening"]}
    [program] = data["programs"]
    assert program["channel_id"] == sb.channel and program["paused"] and program["paused_until"]
    assert program["last_joined_or_left_channel_at"] is None  # enrolled at setup, no channel event since
    [intro] = data["intros"]
    assert intro["your_answer"] == "met" and intro["round_date"]
    assert sorted(w["slack_id"] for w in intro["with"]) == sorted(others)
    assert all(w["name"] for w in intro["with"])
    assert data["admin_roles"] == {"created_programs": [], "program_admin_of": []}
    # Of other people only what the member saw in the intro: no e-mail, no answer of theirs.
    text = json.dumps(data)
    for other in others:
        other_email = sb.workspace.user(other).email
        assert not other_email or other_email not in text


def test_the_program_creator_sees_their_roles_and_audit_entries(sandbox: Sandbox) -> None:
    sb = sandbox
    creator, colleague = _plain(sb)[0], _plain(sb)[1]
    _setup(sb, creator)
    sb.driver.slash_command(creator, "admin set welcome Hello from the crew", channel_id=sb.channel)
    sb.driver.slash_command(creator, f"admin admins add <@{colleague}>", channel_id=sb.channel)
    answer, [upload] = _my_data(sb, creator)
    assert "in your DM" in answer
    data = json.loads((upload.data or b"").decode())
    assert [p["channel_id"] for p in data["admin_roles"]["created_programs"]] == [sb.channel]
    actions = [entry["action"] for entry in data["audit_log"] if entry["by_you"]]
    assert "program.set" in actions and "program.admin_add" in actions
    welcome = next(e for e in data["audit_log"] if e["detail"] and e["detail"].get("setting") == "welcome")
    assert welcome["detail"]["new"] == "Hello from the crew"


def test_someone_serendip_never_stored_is_told_so_and_gets_no_file(sandbox: Sandbox) -> None:
    sb = sandbox
    stranger = sb.workspace.add_user(
        SandboxUser(id="U0STRANGE1", team_id=sb.workspace.team.id, name="s", real_name="Sam Stranger")
    ).id
    answer, files = _my_data(sb, stranger)
    assert "stores nothing about you" in answer and files == []


def test_a_failed_upload_says_why_instead_of_a_stack_trace(sandbox: Sandbox) -> None:
    sb = sandbox
    _setup(sb, _plain(sb)[0])
    sb.slack.inject("files.getUploadURLExternal", error_rate=1.0, status=500)
    answer, files = _my_data(sb, _plain(sb)[0])
    assert "couldn't send your data" in answer and "Traceback" not in answer and files == []
