"""The profile modal and the App Home, driven like Slack drives them: signed requests to the running bot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_profile as profile_repo
from serendip.adapters.db.models import Round
from serendip.adapters.slack.coffee.profile import OPENED
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox
from tests.support.wait import eventually


def _setup(sb: Sandbox) -> None:
    result = sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel)
    assert "now a Serendip program" in result.wait_for_responses(1, timeout=20)[0]["text"]


def _open_profile(sb: Sandbox, user: str) -> dict[str, Any]:
    result = sb.driver.slash_command(user, "profile", channel_id=sb.channel)
    # An empty ack; past the ack deadline on a loaded machine, "working" and then "it is open".
    assert result.status == 200 and (not result.body or result.text == OPENED)
    # The modal opens at once with a loading view; views.update fills it once the profile is read.
    [modal] = sb.slack.wait_until(
        lambda _: [m for m in sb.slack.open_modals(user) if m.get("callback_id") == "profile_modal"], 10
    )
    assert len(sb.slack.open_modals(user)) == 1
    return modal


def _home_text(sb: Sandbox, user: str) -> str:
    view = sb.slack.wait_until(lambda _: sb.slack.home_view(user), 10)
    return str(view["blocks"])


def _values(**fields: Any) -> dict[str, dict[str, Any]]:
    actions = {"expertise": "profile_expertise", "interests": "profile_interests"}
    return {block: {actions.get(block, block): value} for block, value in fields.items()}


@SQLITE_ONLY
def test_profile_modal_saves_tags_blocks_hours_and_updates_home(sandbox: Sandbox) -> None:
    user, other = sandbox.humans[1], sandbox.humans[2]
    sandbox.without_slack_department(user)
    _setup(sandbox)
    modal = _open_profile(sandbox, user)
    assert {b["block_id"] for b in modal["blocks"]} >= {"department", "expertise", "interests", "blocked"}
    values = _values(
        expertise=["K8s", "Code Reviews"],
        interests=["design"],
        blocked=[other],
        work_start="08:00",
        work_end="16:30",
        may_be_asked=[],
        department="Research",
    )
    result = sandbox.driver.view_submission(user, modal, values)
    assert result.status == 200 and not sandbox.slack.open_modals(user)
    with sandbox.bot.container.db.transaction() as session:
        member = repo.find_member(session, sandbox.workspace.team.id, user)
        assert member is not None
        assert repo.member_tags(session, member.id, "expertise") == ["code review", "kubernetes"]
        assert repo.member_tags(session, member.id, "interest") == ["design"]
        assert profile_repo.member_blocks(session, member.id) == [other]
        assert (member.work_start_minute, member.work_end_minute) == (480, 990)
        assert member.may_be_asked is False and member.department == "Research"
    home = _home_text(sandbox, user)
    assert "`kubernetes`" in home and "08:00–16:30" in home and "What <#" in home


@SQLITE_ONLY
def test_reopened_modal_shows_current_values_as_full_options(sandbox: Sandbox) -> None:
    user = sandbox.humans[3]
    sandbox.driver.slash_command(user, "expertise add python, go")
    modal = _open_profile(sandbox, user)
    element = next(b["element"] for b in modal["blocks"] if b["block_id"] == "expertise")
    assert element["type"] == "multi_external_select" and element["min_query_length"] >= 1
    assert [o["value"] for o in element["initial_options"]] == ["go", "python"]
    assert all(o["text"]["type"] == "plain_text" for o in element["initial_options"])


def test_type_ahead_offers_existing_tags_and_the_typed_one(sandbox: Sandbox) -> None:
    sandbox.driver.slash_command(sandbox.humans[4], "expertise add kubernetes, python")
    sandbox.driver.slash_command(sandbox.humans[5], "interests add kubernetes")
    user = sandbox.humans[6]
    modal = _open_profile(sandbox, user)
    kube = sandbox.driver.block_suggestion(user, "profile_expertise", "kube", modal)
    assert kube["options"][0]["value"] == "kubernetes"
    assert kube["options"][0]["description"]["text"] == "2 people"
    alias = sandbox.driver.block_suggestion(user, "profile_interests", "k8s", modal)
    assert alias["options"][0]["value"] == "kubernetes"
    new = sandbox.driver.block_suggestion(user, "profile_expertise", "Event Sourcing", modal)
    assert new["options"][0] == {
        "text": {"type": "plain_text", "text": "event sourcing", "emoji": True},
        "value": "event sourcing",
        "description": {"type": "plain_text", "text": "new tag", "emoji": True},
    }


@SQLITE_ONLY
def test_invalid_submissions_get_errors_on_the_right_fields(sandbox: Sandbox) -> None:
    user = sandbox.humans[7]
    modal = _open_profile(sandbox, user)
    too_many = [f"topic {i}" for i in range(16)]
    result = sandbox.driver.view_submission(
        user, modal, _values(expertise=too_many, blocked=[user], work_start="17:00", work_end="09:00")
    )
    assert result.json["response_action"] == "errors"
    errors = sandbox.slack.view_errors(modal["id"])
    assert errors is not None
    assert "At most 15 expertise tags" in errors["expertise"] and "remove 1" in errors["expertise"]
    assert "yourself" in errors["blocked"] and "end" in errors["work_end"]
    assert sandbox.slack.open_modals(user)
    long_tag = sandbox.driver.view_submission(user, modal, _values(interests=["x" * 41]))
    assert "40 characters" in long_tag.json["errors"]["interests"]
    with sandbox.bot.container.db.transaction() as session:
        member = repo.find_member(session, sandbox.workspace.team.id, user)
        assert member is not None and repo.member_tags(session, member.id, "expertise") == []


@SQLITE_ONLY
def test_a_directory_department_is_shown_with_its_source_and_not_editable(sandbox: Sandbox) -> None:
    user = sandbox.humans[8]
    sandbox.workspace.set_field(user, "Department", "Engineering")  # what the bot reads in the background
    assert "Sales" in sandbox.driver.slash_command(user, "team Sales").text  # the answer: stored
    with sandbox.bot.container.db.transaction() as session:
        member = repo.find_member(session, sandbox.workspace.team.id, user)
        assert member is not None
        member.department, member.department_source = "Engineering", "directory"
    modal = _open_profile(sandbox, user)
    ids = [b["block_id"] for b in modal["blocks"]]
    assert "department" not in ids
    info = next(b for b in modal["blocks"] if b["block_id"] == "department_info")
    assert "Engineering" in info["text"]["text"] and "Slack profile" in info["text"]["text"]
    sandbox.driver.view_submission(user, modal, _values(expertise=["sql"]))
    with sandbox.bot.container.db.transaction() as session:
        member = repo.find_member(session, sandbox.workspace.team.id, user)
        assert member is not None and member.department == "Engineering"


@SQLITE_ONLY
def test_welcome_dm_and_home_buttons_open_the_profile_modal(sandbox: Sandbox) -> None:
    _setup(sandbox)
    user = sandbox.humans[2]
    dm = sandbox.slack.workspace.dm_with(user)
    assert dm is not None
    welcome = sandbox.slack.wait_for_messages(dm.id, 1)[0]
    sandbox.driver.block_action(user, "open_profile", "welcome", message=welcome, channel_id=dm.id)
    sandbox.slack.wait_until(lambda ws: any(v.user_id == user and v.is_open for v in ws.views.values()), 10)
    sandbox.slack.close_view(sandbox.slack.open_modals(user)[0]["id"])
    sandbox.driver.app_home_opened(user)
    home = sandbox.slack.wait_until(lambda _: sandbox.slack.home_view(user), 10)
    sandbox.driver.block_action(user, "open_profile", "home", view=home)
    sandbox.slack.wait_until(lambda ws: any(v.user_id == user and v.is_open for v in ws.views.values()), 10)


@SQLITE_ONLY
def test_home_shows_status_and_its_buttons_pause_and_resume(sandbox: Sandbox) -> None:
    _setup(sandbox)
    user = sandbox.humans[3]
    sandbox.driver.slash_command(sandbox.humans[4], "expertise add python, sql")
    sandbox.driver.slash_command(sandbox.humans[5], "expertise add python")
    sandbox.driver.app_home_opened(user)
    home = sandbox.slack.wait_until(lambda _: sandbox.slack.home_view(user), 10)
    text = str(home["blocks"])
    assert "*active*" in text and "Next round" in text and "*python* · 2" in text
    sandbox.driver.block_action(user, "home_pause", "14", view=home)
    sandbox.slack.wait_until(lambda _: "*paused* until" in _home_text(sandbox, user), 10)
    paused = sandbox.slack.home_view(user)
    assert paused is not None
    sandbox.driver.block_action(user, "home_resume", "resume", view=paused)
    sandbox.slack.wait_until(lambda _: "*active*" in _home_text(sandbox, user), 10)


@SQLITE_ONLY
def test_after_a_round_home_shows_the_current_intro_and_the_intro_shows_tags(sandbox: Sandbox) -> None:
    _setup(sandbox)
    user = sandbox.humans[1]
    sandbox.driver.slash_command(user, "expertise add kubernetes")
    run = sandbox.driver.slash_command(sandbox.humans[0], "admin run", channel_id=sandbox.channel)
    run.wait_for_responses(1, 30)
    group = sandbox.slack.wait_until(
        lambda ws: next((c for c in ws.mpims() if user in c.members and c.messages), None), 30
    )
    intro = sandbox.slack.messages(group.id)[0]
    assert "knows: `kubernetes`" in str(intro["blocks"])
    partner = next(m for m in group.members if m not in (user, sandbox.workspace.bot.id))

    def round_done() -> bool:
        with sandbox.bot.container.db.transaction() as session:
            return session.scalars(select(Round.state)).one() == "done"

    eventually(round_done, 30)  # the post is visible in Slack a moment before it is recorded
    sandbox.driver.app_home_opened(user)
    home = sandbox.slack.wait_until(
        lambda _: (
            "Your current intro" in _home_text(sandbox, user) and f"<@{partner}>" in _home_text(sandbox, user)
        ),
        10,
    )
    assert (
        home
        and "no answer yet" in _home_text(sandbox, user)
        and "*kubernetes* · 1" in _home_text(sandbox, user)
    )
