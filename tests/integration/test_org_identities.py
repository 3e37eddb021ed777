"""Workspace-local ids of an Enterprise Grid org exchanged for org-wide ids through the emulator's
`migration.exchange`: asked once per id, at most 400 per payload, a failure kept out of the cache."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from serendip.adapters.slack.client import make_web_client
from serendip.adapters.slack.org_identities import OrgIdentities, map_payload
from serendip_sandbox import SlackEmulator, generate_workspace
from serendip_sandbox.grid import generate_grid_org, give_local_id


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_grid_org(people_per_team=6, seed=8, in_both=1)) as emulator:
        yield emulator


def _org(slack: SlackEmulator) -> tuple[str, str, list[str]]:
    """The enterprise id, its first workspace and that workspace's people (org-wide ids)."""
    ws = slack.workspace
    assert ws.enterprise is not None
    team = ws.teams[0].id
    return ws.enterprise.id, team, [u.id for u in ws.humans() if u.teams[0] == team]


def _asked(slack: SlackEmulator) -> list[str]:
    return [u for c in slack.calls.all("migration.exchange") for u in str(c.params["users"]).split(",")]


def test_local_ids_become_org_wide_and_each_is_asked_about_once(slack: SlackEmulator) -> None:
    enterprise, team, people = _org(slack)
    local = {give_local_id(slack.workspace, p, team): p for p in people[:3]}
    client = make_web_client(slack.bot_token, slack.api_url)
    identities = OrgIdentities()
    asked_for = [*local, people[4]]
    assert identities.global_ids(client, enterprise, team, asked_for) == {**local, people[4]: people[4]}
    assert identities.global_ids(client, enterprise, team, [*local, people[5]]) == {
        **local,
        people[5]: people[5],
    }
    assert sorted(_asked(slack)) == sorted(local)  # org-wide W ids are never asked about


def test_an_org_wide_u_id_is_asked_about_once_and_kept_as_it_is(slack: SlackEmulator) -> None:
    enterprise, team, _ = _org(slack)
    client = make_web_client(slack.bot_token, slack.api_url)
    identities = OrgIdentities()
    for _ in range(3):  # a U id Slack does not know as local (a person created after the migration)
        assert identities.global_ids(client, enterprise, team, ["U0NEWPERSON"]) == {
            "U0NEWPERSON": "U0NEWPERSON"
        }
    assert _asked(slack) == ["U0NEWPERSON"]


def test_a_payload_of_more_than_400_ids_costs_one_exchange_and_the_rest_wait_for_a_later_one(
    slack: SlackEmulator,
) -> None:
    # One call per payload: thousands of ids in one (hostile) payload must not hold its request
    # for call after call; the ids beyond the first 400 stay as they came and are asked next time.
    enterprise, team, _ = _org(slack)
    client = make_web_client(slack.bot_token, slack.api_url)
    many = [f"U{n:09d}" for n in range(401)]
    identities = OrgIdentities()
    assert identities.global_ids(client, enterprise, team, many) == {u: u for u in many}
    assert [len(str(c.params["users"]).split(",")) for c in slack.calls.all("migration.exchange")] == [400]
    assert identities.global_ids(client, enterprise, team, many) == {u: u for u in many}
    assert [len(str(c.params["users"]).split(",")) for c in slack.calls.all("migration.exchange")] == [400, 1]
    assert all(c.ok for c in slack.calls.all("migration.exchange"))


def test_a_failed_exchange_keeps_the_id_and_asks_again_next_time(slack: SlackEmulator) -> None:
    enterprise, team, people = _org(slack)
    local = give_local_id(slack.workspace, people[0], team)
    client = make_web_client(slack.bot_token, slack.api_url)
    identities = OrgIdentities()
    slack.fail_matching("migration.exchange", lambda _: True, count=1)
    assert identities.global_ids(client, enterprise, team, [local]) == {local: local}
    assert identities.global_ids(client, enterprise, team, [local]) == {local: people[0]}
    assert identities.global_ids(client, enterprise, team, [local]) == {local: people[0]}
    assert len(slack.calls.all("migration.exchange")) == 2


def test_a_rate_limited_exchange_is_not_waited_for_and_users_info_names_the_org_wide_id(
    slack: SlackEmulator,
) -> None:
    enterprise, team, people = _org(slack)
    local = give_local_id(slack.workspace, people[0], team)
    slack.burst_429("migration.exchange", 1, retry_after=30)
    started = time.monotonic()
    identities = OrgIdentities()
    client = make_web_client(slack.bot_token, slack.api_url)
    assert identities.global_ids(client, enterprise, team, [local, "U0NEWPERSON"]) == {
        local: people[0],
        "U0NEWPERSON": "U0NEWPERSON",  # users.info: user_not_found, the id stays as it came
    }
    assert time.monotonic() - started < 2
    assert [c.status for c in slack.calls.all("migration.exchange")] == [429]
    assert identities.global_ids(client, enterprise, team, [local]) == {local: people[0]}  # remembered
    assert len(slack.calls.all("users.info")) == 2 and len(slack.calls.all("migration.exchange")) == 1


def test_rate_limited_everywhere_the_id_is_kept_as_it_came(slack: SlackEmulator) -> None:
    enterprise, team, people = _org(slack)
    local = give_local_id(slack.workspace, people[0], team)
    slack.burst_429("migration.exchange", 1, retry_after=30)
    slack.burst_429("users.info", 1, retry_after=30)
    client = make_web_client(slack.bot_token, slack.api_url)
    assert OrgIdentities().global_ids(client, enterprise, team, [local]) == {local: local}


def test_a_workspace_outside_any_org_is_not_migrated_and_its_ids_are_kept() -> None:
    with SlackEmulator(generate_workspace(4, 1, seed=9)) as slack:
        client = make_web_client(slack.bot_token, slack.api_url)
        identities = OrgIdentities()
        person = slack.workspace.humans()[0].id
        for _ in range(2):
            assert identities.global_ids(client, "E0FAKE", slack.workspace.team.id, [person]) == {
                person: person
            }
        [call] = slack.calls.all("migration.exchange")
        assert call.error == "not_enterprise_team"


def test_the_cache_keeps_the_most_recently_used_ids(slack: SlackEmulator) -> None:
    enterprise, team, people = _org(slack)
    first, second = (give_local_id(slack.workspace, p, team) for p in people[:2])
    client = make_web_client(slack.bot_token, slack.api_url)
    identities = OrgIdentities(max_entries=1)
    identities.global_ids(client, enterprise, team, [first])
    identities.global_ids(client, enterprise, team, [second])
    identities.global_ids(client, enterprise, team, [first])  # pushed out by the second: asked again
    assert _asked(slack) == [first, second, first]


def test_a_payload_has_its_asker_its_event_user_people_picked_and_people_mentioned_made_org_wide(
    slack: SlackEmulator,
) -> None:
    enterprise, team, people = _org(slack)
    asker, picked, joined = (give_local_id(slack.workspace, p, team) for p in people[:3])
    client = make_web_client(slack.bot_token, slack.api_url)
    identities = OrgIdentities()
    submission = {
        "type": "view_submission",
        "user": {"id": asker, "team_id": team},
        "view": {"state": {"values": {"b": {"blocked": {"selected_users": [picked, people[4]]}}}}},
    }
    assert map_payload(submission, identities, client, enterprise) == people[0]
    assert submission["user"] == {"id": people[0], "team_id": team}
    assert submission["view"]["state"]["values"]["b"]["blocked"]["selected_users"] == [people[1], people[4]]
    event = {"team_id": team, "event": {"type": "member_joined_channel", "user": joined, "inviter": asker}}
    assert map_payload(event, identities, client, enterprise) == people[2]
    assert event["event"] == {"type": "member_joined_channel", "user": people[2], "inviter": people[0]}
    command = {"command": "/coffee", "team_id": team, "user_id": asker}
    assert (
        map_payload(command, identities, client, enterprise) == people[0] and command["user_id"] == people[0]
    )
    mentions = f"admin admins add <@{picked}|sam> <@{people[4]}> @{joined} <@{joined}x>"
    command = {"command": "/coffee", "team_id": team, "user_id": people[5], "text": mentions}
    assert map_payload(command, identities, client, enterprise) == people[5]
    assert command["text"] == f"admin admins add <@{people[1]}|sam> <@{people[4]}> @{joined} <@{joined}x>"
    assert sorted(_asked(slack)) == sorted([asker, picked, joined])
