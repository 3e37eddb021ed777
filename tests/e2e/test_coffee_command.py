"""/coffee driven exactly as Slack drives it: signed requests to the running bot."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Enrolment, Member, MemberTag
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox


def _setup(sb: Sandbox) -> None:
    result = sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel)
    assert result.status == 200
    response = result.wait_for_responses(1, timeout=20)[0]
    assert "now a Serendip program" in response["text"]


def _enrolled(sb: Sandbox) -> int:
    with sb.bot.container.db.transaction() as session:
        return int(
            session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.opted_out.is_(False)))
            or 0
        )


def test_admin_setup_enrols_the_channels_people_and_welcomes_them(sandbox: Sandbox) -> None:
    _setup(sandbox)
    assert _enrolled(sandbox) == len(sandbox.humans)
    welcome = sandbox.slack.wait_for_messages(sandbox.slack.workspace.dm_with(sandbox.humans[3]).id, 1)  # type: ignore[union-attr]
    assert "Welcome" in welcome[0]["text"]
    guest = sandbox.user_where(is_restricted=True)
    assert sandbox.slack.workspace.dm_with(guest) is None


@SQLITE_ONLY
def test_plain_coffee_shows_status_and_help(sandbox: Sandbox) -> None:
    _setup(sandbox)
    result = sandbox.driver.slash_command(sandbox.humans[1], "", channel_id=sandbox.channel)
    blocks_text = " ".join(b["text"]["text"] for b in result.json["blocks"] if b.get("text"))
    assert "*active*" in blocks_text and "next round" in blocks_text
    assert "/coffee pause" in blocks_text


def test_pause_resume_and_skip_answer_ephemerally(sandbox: Sandbox) -> None:
    _setup(sandbox)
    user = sandbox.humans[2]
    paused = sandbox.driver.slash_command(user, "pause 2w", channel_id=sandbox.channel)
    assert paused.json["response_type"] == "ephemeral" and "Paused until" in paused.text
    assert (
        "paused"
        in sandbox.driver.slash_command(user, "", channel_id=sandbox.channel).json["blocks"][0]["text"][
            "text"
        ]
    )
    assert "active again" in sandbox.driver.slash_command(user, "resume", channel_id=sandbox.channel).text
    assert (
        "sit out the next round"
        in sandbox.driver.slash_command(user, "skip", channel_id=sandbox.channel).text
    )


def test_commands_outside_the_channel_apply_to_all_the_members_programs(sandbox: Sandbox) -> None:
    _setup(sandbox)
    result = sandbox.driver.slash_command(sandbox.humans[2], "pause until 2099-01-01")
    assert f"<#{sandbox.channel}>" in result.text


def test_expertise_and_interests_are_normalised_and_stored(sandbox: Sandbox) -> None:
    user = sandbox.humans[4]
    result = sandbox.driver.slash_command(
        user, "expertise add K8s, Python , APIs", channel_id=sandbox.channel
    )
    assert "`kubernetes`" in result.text
    # Each answer is read, so a "working" ack on a loaded machine is waited out before the rows are.
    added = sandbox.driver.slash_command(user, "interests add design", channel_id=sandbox.channel)
    assert "`design`" in added.text
    removed = sandbox.driver.slash_command(user, "expertise remove python", channel_id=sandbox.channel)
    assert "`python`" in removed.text, removed.text
    with sandbox.bot.container.db.transaction() as session:
        member = repo.find_member(session, sandbox.workspace.team.id, user)
        assert member is not None
        assert repo.member_tags(session, member.id, "expertise") == ["api", "kubernetes"]
        assert repo.member_tags(session, member.id, "interest") == ["design"]


def test_team_asks_and_history_work(sandbox: Sandbox) -> None:
    user = sandbox.humans[5]
    assert "Your department is now *R&amp;D*" in sandbox.driver.slash_command(user, "team R&amp;D").text
    assert "nobody will be pointed to you" in sandbox.driver.slash_command(user, "asks off").text
    assert "No intros yet" in sandbox.driver.slash_command(user, "history").text


def test_join_outside_a_program_lists_programs_with_buttons(sandbox: Sandbox) -> None:
    _setup(sandbox)
    sandbox.driver.slash_command(sandbox.humans[3], "leave", channel_id=sandbox.channel)
    result = sandbox.driver.slash_command(sandbox.humans[3], "join")
    buttons = [b["accessory"] for b in result.json["blocks"] if "accessory" in b]
    assert buttons and buttons[0]["value"] == sandbox.channel


@SQLITE_ONLY
def test_bad_input_gets_a_helpful_usage_reply(sandbox: Sandbox) -> None:
    user = sandbox.humans[0]
    unknown = sandbox.driver.slash_command(user, "pasue 2w")
    assert "Unknown command" in unknown.text and "pause" in str(unknown.json["blocks"])
    assert "2,000" in sandbox.driver.slash_command(user, "team " + "x" * 2500).text
    odd = sandbox.driver.slash_command(user, "pause 3\u202eweeks \u0000🙂")
    assert odd.status == 200 and odd.json["response_type"] == "ephemeral"
    assert (
        "work in a program's channel"
        in sandbox.driver.slash_command(user, "admin stats", channel_id=sandbox.channel).text
    )


@SQLITE_ONLY
def test_unsigned_wrongly_signed_and_stale_requests_get_401_and_change_nothing(sandbox: Sandbox) -> None:
    user = sandbox.humans[0]
    for result in (
        sandbox.driver.unsigned(user, "admin setup", channel_id=sandbox.channel),
        sandbox.driver.bad_signature(user, "admin setup", channel_id=sandbox.channel),
        sandbox.driver.stale(user, "admin setup", channel_id=sandbox.channel),
    ):
        assert result.status == 401
    with sandbox.bot.container.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == 0


@SQLITE_ONLY
def test_a_slack_failure_inside_a_handler_gives_a_short_apology(sandbox: Sandbox) -> None:
    sandbox.slack.inject("users.info", error_rate=1.0, status=500)
    result = sandbox.driver.slash_command(sandbox.humans[0], "expertise add go")
    assert result.status == 200
    assert "Sorry, something went wrong" in result.text and "Traceback" not in str(result.body)


def test_forget_me_asks_first_then_erases_on_confirm(sandbox: Sandbox) -> None:
    _setup(sandbox)
    user = sandbox.humans[1]
    sandbox.driver.slash_command(user, "interests add chess", channel_id=sandbox.channel)
    asked = sandbox.driver.slash_command(user, "forget-me", channel_id=sandbox.channel)
    assert [e["action_id"] for e in asked.json["blocks"][-1]["elements"]] == [
        "forget_me_confirm",
        "forget_me_cancel",
    ]
    sandbox.driver.block_action(
        user, "forget_me_confirm", "confirm", channel_id=sandbox.channel, message=asked.seen()[-1]
    )
    sandbox.slack.wait_until(lambda ws: any("deleted" in str(e) for e in ws.ephemerals if e.user == user), 10)
    with sandbox.bot.container.db.transaction() as session:
        assert repo.find_member(session, sandbox.workspace.team.id, user) is None
        assert session.scalar(select(func.count()).select_from(MemberTag)) == 0


def test_healthz_reports_the_database(sandbox: Sandbox) -> None:
    response = httpx.get(f"{sandbox.bot.url}/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
