"""An Enterprise Grid org in the emulator: an org-wide token, global members, an org-shared channel."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from serendip_sandbox import SlackDriver, SlackEmulator, Workspace
from serendip_sandbox.grid import give_local_id

MODAL = {
    "type": "modal",
    "callback_id": "profile",
    "title": {"type": "plain_text", "text": "Your profile"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "team",
            "label": {"type": "plain_text", "text": "Team"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def error_of(call: object) -> str:
    """Run a WebClient call that must fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as failure:
        call()  # type: ignore[operator]
    return str(failure.value.response["error"])


def org_client(emulator: SlackEmulator, org: Workspace) -> WebClient:
    """slack_sdk's WebClient with the org-wide bot token."""
    return WebClient(token=org.bot_token, base_url=emulator.api_url)


def test_an_org_wide_token_speaks_for_the_org_in_auth_test(
    emulator: SlackEmulator, grid_org: Workspace
) -> None:
    assert grid_org.enterprise is not None
    answer = org_client(emulator, grid_org).auth_test().data
    assert answer == {
        "ok": True,
        "url": f"https://{grid_org.enterprise.domain}.enterprise.slack.com/",
        "team": grid_org.enterprise.name,
        "user": grid_org.bot.name,
        "team_id": grid_org.enterprise.id,
        "user_id": grid_org.bot.id,
        "bot_id": grid_org.bot.bot_id,
        "enterprise_id": grid_org.enterprise.id,
        "is_enterprise_install": True,
    }
    assert grid_org.bot.id.startswith("W")


def test_grid_members_carry_their_home_team_and_enterprise_user(
    emulator: SlackEmulator, grid_org: Workspace
) -> None:
    assert grid_org.enterprise is not None
    first, second = (t.id for t in grid_org.teams)
    in_both = next(u for u in grid_org.humans() if len(u.teams) == 2)
    shape = org_client(emulator, grid_org).users_info(user=in_both.id)["user"]
    assert shape["id"].startswith("W") and shape["team_id"] == first
    assert shape["enterprise_user"] == {
        "id": in_both.id,
        "enterprise_id": grid_org.enterprise.id,
        "enterprise_name": grid_org.enterprise.name,
        "is_admin": in_both.is_admin,
        "is_owner": in_both.is_owner,
        "is_primary_owner": in_both.is_primary_owner,
        "teams": [first, second],
    }


def test_an_org_wide_token_names_the_workspace_whose_people_and_channels_it_lists(
    emulator: SlackEmulator, grid_org: Workspace
) -> None:
    client = org_client(emulator, grid_org)
    first, second = (t.id for t in grid_org.teams)
    assert error_of(client.users_list) == "missing_argument"
    assert error_of(client.conversations_list) == "missing_argument"
    members_of_second = [m for m in client.users_list(team_id=second)["members"] if not m["is_bot"]]
    assert all(second in m["enterprise_user"]["teams"] for m in members_of_second if m["id"] != "USLACKBOT")
    assert (
        len([m for m in members_of_second if m["id"] != "USLACKBOT"]) == 8 + 2
    )  # its own and two of the first
    channels = {c["name"] for c in client.conversations_list(team_id=second)["channels"]}
    assert channels == {"coffee-chats", "coffee-americas"}
    assert [t["id"] for t in client.auth_teams_list()["teams"]] == [first, second]
    assert error_of(lambda: client.users_list(team_id="T0NOTOURS0")) == "team_access_not_granted"


def test_the_org_shared_channel_shows_both_workspaces_and_their_members(
    emulator: SlackEmulator, grid_org: Workspace
) -> None:
    client = org_client(emulator, grid_org)
    shared = grid_org.channel_named("coffee-chats")
    info = client.conversations_info(channel=shared.id)["channel"]
    assert (info["is_shared"], info["is_org_shared"], info["is_ext_shared"]) == (True, True, False)
    assert info["shared_team_ids"] == [t.id for t in grid_org.teams]
    members = client.conversations_members(channel=shared.id)["members"]
    assert {grid_org.users[m].team_id for m in members} == {t.id for t in grid_org.teams}
    local = client.conversations_info(channel=grid_org.channel_named("coffee-europe").id)["channel"]
    assert (local["is_shared"], local["shared_team_ids"]) == (False, [grid_org.teams[0].id])


def test_a_group_dm_across_the_orgs_workspaces_is_opened_with_the_org_token(
    emulator: SlackEmulator, grid_org: Workspace
) -> None:
    first, second = (t.id for t in grid_org.teams)
    pair = [
        next(u.id for u in grid_org.humans() if u.teams == [first]),
        next(u.id for u in grid_org.humans() if u.teams == [second]),
    ]
    client = org_client(emulator, grid_org)
    opened = client.conversations_open(users=",".join(pair))["channel"]
    client.chat_postMessage(channel=opened["id"], text="Meet your coffee partner!")
    assert [g.id for g in emulator.state_of(second).group_dms()] == [opened["id"]]
    assert [m["text"] for m in emulator.state_of(first).messages(opened["id"])] == [
        "Meet your coffee partner!"
    ]
    assert {c.scope_id for c in emulator.calls.all()} == {grid_org.scope_id}


def test_an_org_wide_install_through_oauth_has_no_team(emulator: SlackEmulator, grid_org: Workspace) -> None:
    assert grid_org.enterprise is not None
    emulator.set_installer(grid_org.teams[1].id)  # an admin of one of its workspaces installs org-wide
    consent = httpx.get(
        emulator.authorize_url,
        params={"client_id": emulator.client_id, "scope": "commands", "redirect_uri": "http://s.test/cb"},
    )
    code = parse_qs(urlparse(consent.headers["location"]).query)["code"][0]
    installed = WebClient(base_url=emulator.api_url).oauth_v2_access(
        client_id=emulator.client_id, client_secret=emulator.client_secret, code=code
    )
    assert installed["team"] is None
    assert installed["enterprise"] == {"id": grid_org.enterprise.id, "name": grid_org.enterprise.name}
    assert installed["is_enterprise_install"] is True and installed["bot_user_id"] == grid_org.bot.id
    answer = WebClient(token=installed["access_token"], base_url=emulator.api_url).auth_test()
    assert (answer["team_id"], answer["is_enterprise_install"]) == (grid_org.enterprise.id, True)


def test_payloads_from_the_orgs_two_workspaces_carry_its_enterprise_and_their_team(
    emulator: SlackEmulator, grid_org: Workspace, hosted_app: App, hosted_driver: SlackDriver
) -> None:
    assert grid_org.enterprise is not None
    org_id = grid_org.enterprise.id
    seen: list[tuple[str, str | None, str | None, bool]] = []

    def note(kind: str, context: BoltContext) -> None:
        seen.append((kind, context.enterprise_id, context.team_id, bool(context.is_enterprise_install)))

    @hosted_app.command("/coffee")
    def coffee(ack: Ack, context: BoltContext, client: WebClient, body: dict[str, Any]) -> None:
        note("command", context)
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        ack()

    @hosted_app.view("profile")
    def saved(ack: Ack, context: BoltContext) -> None:
        note("submission", context)
        ack()

    @hosted_app.event("app_home_opened")
    def home(context: BoltContext, client: WebClient, event: dict[str, Any]) -> None:
        note("event", context)
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    for team in grid_org.teams:
        driver = hosted_driver.for_team(team.id)
        person = next(u.id for u in grid_org.humans() if u.teams == [team.id])
        command = driver.slash_command(
            person, "profile", channel_id=grid_org.channel_named("coffee-chats").id
        )
        assert {k: command.sent[k] for k in ("team_id", "enterprise_id", "is_enterprise_install")} == {
            "team_id": team.id,
            "enterprise_id": org_id,
            "is_enterprise_install": "true",
        }
        assert command.sent["enterprise_name"] == grid_org.enterprise.name
        modal = emulator.state_of(team.id).open_modals(person)[0]
        submitted = driver.view_submission(person, modal, {"team": {"value": "Data"}})
        assert submitted.sent["enterprise"] == {"id": org_id, "name": grid_org.enterprise.name}
        assert submitted.sent["team"]["enterprise_id"] == org_id and submitted.sent["is_enterprise_install"]
        assert submitted.sent["view"]["team_id"] == team.id
        envelope = driver.app_home_opened(person).sent
        assert (envelope["team_id"], envelope["enterprise_id"]) == (team.id, org_id)
        assert envelope["authorizations"] == [
            {
                "enterprise_id": org_id,
                "team_id": None,
                "user_id": grid_org.bot.id,
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ]
        grid_org.wait_until(lambda ws, who=person: who in ws.home_views)  # type: ignore[misc]
    first, second = (t.id for t in grid_org.teams)
    # Bolt reads the team of events from authorizations (null org-wide) and of views from the install.
    assert sorted(seen) == sorted(
        [
            ("command", org_id, first, True),
            ("command", org_id, second, True),
            ("submission", org_id, org_id, True),
            ("submission", org_id, org_id, True),
            ("event", org_id, None, True),
            ("event", org_id, None, True),
        ]
    )
    assert {c.scope_id for c in emulator.calls.all()} == {org_id}


def test_team_access_revoked_takes_one_workspace_from_the_org_token(
    emulator: SlackEmulator, grid_org: Workspace, hosted_driver: SlackDriver
) -> None:
    assert grid_org.enterprise is not None
    first, second = (t.id for t in grid_org.teams)
    sent = hosted_driver.for_team(second).team_access_revoked().sent
    assert sent["enterprise_id"] == grid_org.enterprise.id and sent["team_id"] is None
    assert sent["event"]["type"] == "team_access_revoked" and sent["event"]["team_ids"] == [second]
    client = org_client(emulator, grid_org)
    assert error_of(lambda: client.users_list(team_id=second)) == "team_access_not_granted"
    assert [t["id"] for t in client.auth_teams_list()["teams"]] == [first]
    assert client.users_list(team_id=first)["ok"]


def test_migration_exchange_maps_a_workspaces_local_ids_both_ways_and_refuses_what_slack_refuses(
    emulator: SlackEmulator, grid_org: Workspace
) -> None:
    assert grid_org.enterprise is not None
    first, second = (team.id for team in grid_org.teams)
    person = next(u.id for u in grid_org.humans() if u.teams == [first])
    local = give_local_id(grid_org, person, first)
    client = org_client(emulator, grid_org)
    answer = client.migration_exchange(users=[local, person], team_id=first).data
    assert answer == {
        "ok": True,
        "team_id": first,
        "enterprise_id": grid_org.enterprise.id,
        "user_id_map": {local: person},
        "invalid_user_ids": [person],
    }
    back = client.migration_exchange(users=person, team_id=first, to_old=True).data
    assert back["user_id_map"] == {person: local}
    assert client.migration_exchange(users=local, team_id=second).data["invalid_user_ids"] == [local]
    assert error_of(lambda: client.migration_exchange(users=local)) == "missing_argument"
    many = [f"U{n:09d}" for n in range(401)]
    assert error_of(lambda: client.migration_exchange(users=many, team_id=first)) == "too_many_users"
    plain = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    assert error_of(lambda: plain.migration_exchange(users=local)) == "not_enterprise_team"


def test_a_local_id_names_the_person_in_users_info_and_payloads_carry_it_as_given(
    emulator: SlackEmulator, grid_org: Workspace
) -> None:
    first = grid_org.teams[0].id
    person = next(u.id for u in grid_org.humans() if u.teams == [first])
    local = give_local_id(grid_org, person, first)
    shape = org_client(emulator, grid_org).users_info(user=local).data["user"]
    assert shape["id"] == local and shape["enterprise_user"]["id"] == person
    driver = SlackDriver("http://127.0.0.1:9", emulator.signing_secret, emulator, team_id=first)
    assert driver.payloads.slash_command(local, "", channel_id=None, command="/coffee")["user_id"] == local
    assert driver.payloads.user_ref(local)["id"] == local
    with pytest.raises(ValueError):
        give_local_id(grid_org, person, grid_org.teams[1].id)  # not a member of the second workspace
