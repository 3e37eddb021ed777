"""The emulator answers slack_sdk's WebClient with Slack's shapes, pagination and error codes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from serendip_sandbox import SlackEmulator, Workspace, generate_workspace


def error_of(call: object) -> str:
    """Run a WebClient call that must fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as failure:
        call()  # type: ignore[operator]
    return str(failure.value.response["error"])


def test_auth_test_identifies_the_serendip_bot(client: WebClient, workspace: Workspace) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == workspace.bot.id
    assert answer["bot_id"] == workspace.bot.bot_id
    assert answer["team_id"] == workspace.team.id
    assert answer["url"] == f"https://{workspace.team.domain}.slack.com/"


def test_users_list_pages_through_everyone_exactly_once(client: WebClient, workspace: Workspace) -> None:
    pages = [page.data for page in client.users_list(limit=7)]  # the iterator reuses one response object
    seen = [member["id"] for page in pages for member in page["members"]]
    assert len(pages) == -(-len(workspace.users) // 7)
    assert sorted(seen) == sorted(workspace.users)
    assert pages[-1]["response_metadata"]["next_cursor"] == ""


def test_users_list_without_a_limit_returns_at_most_two_hundred() -> None:
    with SlackEmulator(generate_workspace(people=250, seed=2)) as big:
        page = WebClient(token=big.bot_token, base_url=big.api_url).users_list()
        assert len(page["members"]) == 200
        assert page["response_metadata"]["next_cursor"]


def test_users_list_leaves_out_custom_fields_but_users_profile_get_has_them(
    client: WebClient, workspace: Workspace
) -> None:
    person = workspace.humans()[0]
    listed = next(m for m in client.users_list()["members"] if m["id"] == person.id)
    assert "fields" not in listed["profile"]
    assert listed["profile"]["email"] == person.email
    profile = client.users_profile_get(user=person.id, include_labels=True)["profile"]
    labelled = {f["label"]: f["value"] for f in profile["fields"].values()}
    assert labelled["Department"] == workspace.department_of(person.id)


def test_team_profile_get_lists_the_department_field(client: WebClient) -> None:
    fields = client.team_profile_get()["profile"]["fields"]
    assert "Department" in [f["label"] for f in fields]


def test_conversations_members_pages_with_the_cursor(client: WebClient, workspace: Workspace) -> None:
    coffee = workspace.channel_named("coffee-chats")
    members: list[str] = []
    for page in client.conversations_members(channel=coffee.id, limit=10):
        assert len(page["members"]) <= 10
        members.extend(page["members"])
    assert members == coffee.members


def test_unknown_users_and_channels_get_slacks_error_codes(client: WebClient) -> None:
    assert error_of(lambda: client.users_info(user="U0NOBODY00")) == "user_not_found"
    assert error_of(lambda: client.conversations_info(channel="C0NOWHERE0")) == "channel_not_found"
    assert error_of(lambda: client.conversations_members(channel="C0NOWHERE0")) == "channel_not_found"
    assert error_of(lambda: client.users_list(cursor="bm9wZQ==")) == "invalid_cursor"


def test_tokens_are_checked_like_slack_checks_them(emulator: SlackEmulator) -> None:
    assert error_of(lambda: WebClient(base_url=emulator.api_url).auth_test()) == "not_authed"
    assert (
        error_of(lambda: WebClient(token="xoxb-forged", base_url=emulator.api_url).auth_test())
        == "invalid_auth"
    )
    app_client = WebClient(token=emulator.app_token, base_url=emulator.api_url)
    assert error_of(app_client.auth_test) == "not_allowed_token_type"
    bot_client = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    assert (
        error_of(lambda: bot_client.apps_connections_open(app_token=emulator.bot_token))
        == "not_allowed_token_type"
    )


def test_a_form_token_and_a_json_body_are_both_accepted(
    emulator: SlackEmulator, workspace: Workspace
) -> None:
    form = httpx.post(f"{emulator.api_url}auth.test", data={"token": emulator.bot_token}).json()
    assert form["ok"] and form["user_id"] == workspace.bot.id
    someone = workspace.humans()[0].id
    answer = httpx.post(
        f"{emulator.api_url}chat.postMessage",
        json={
            "channel": someone,
            "text": "hi",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
        },
        headers={"Authorization": f"Bearer {emulator.bot_token}"},
    ).json()
    assert answer["ok"] and answer["message"]["blocks"][0]["block_id"]


def test_conversations_open_reuses_the_group_dm_for_the_same_people(
    client: WebClient, workspace: Workspace
) -> None:
    trio = [u.id for u in workspace.humans()[:3]]
    first = client.conversations_open(users=",".join(trio))
    again = client.conversations_open(users=",".join(reversed(trio)))
    assert first["channel"]["is_mpim"] and "already_open" not in first.data
    assert again["channel"]["id"] == first["channel"]["id"] and again["already_open"]
    dm = client.conversations_open(users=trio[0])
    assert dm["channel"]["id"].startswith("D")


def test_conversations_open_refuses_what_slack_refuses(client: WebClient, workspace: Workspace) -> None:
    humans = [u.id for u in workspace.humans()]
    deactivated = next(u.id for u in workspace.users.values() if u.deleted)
    other_bot = next(u.id for u in workspace.users.values() if u.is_bot and u.id != workspace.bot.id)
    assert client.conversations_open(users=",".join([*humans[:8], workspace.bot.id]))["ok"]
    assert error_of(lambda: client.conversations_open(users=",".join(humans[:9]))) == "too_many_users"
    assert error_of(lambda: client.conversations_open(users=f"{humans[0]},U0NOBODY00")) == "user_not_found"
    assert error_of(lambda: client.conversations_open(users=f"{humans[0]},{deactivated}")) == "user_disabled"
    assert error_of(lambda: client.conversations_open(users=other_bot)) == "cannot_dm_bot"
    assert error_of(lambda: client.conversations_open(users="")) == "users_list_not_supplied"


def test_posting_to_a_user_id_lands_in_the_bots_dm(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    someone = workspace.humans()[4].id
    posted = client.chat_postMessage(channel=someone, text="Welcome to #coffee-chats!")
    assert posted["channel"].startswith("D")
    assert posted["message"]["bot_id"] == workspace.bot.bot_id
    assert [m["text"] for m in emulator.dm_messages(someone)] == ["Welcome to #coffee-chats!"]


def test_chat_post_message_rejects_bad_content_with_slacks_codes(
    client: WebClient, workspace: Workspace
) -> None:
    someone = workspace.humans()[0].id
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    assert error_of(lambda: client.chat_postMessage(channel=someone, text="x" * 40_001)) == "msg_too_long"
    too_many = [section] * 51
    assert (
        error_of(lambda: client.chat_postMessage(channel=someone, text="x", blocks=too_many))
        == "invalid_blocks"
    )
    assert (
        error_of(
            lambda: client.api_call(
                "chat.postMessage", params={"channel": someone, "text": "x", "blocks": '{"type": "section"}'}
            )
        )
        == "invalid_blocks"
    )
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns too; Slack answers no_text
        assert error_of(lambda: client.chat_postMessage(channel=someone, text=" ")) == "no_text"
    assert error_of(lambda: client.chat_postMessage(channel="C0NOWHERE0", text="x")) == "channel_not_found"
    assert client.chat_postMessage(channel=someone, text="x" * 40_000, blocks=[section] * 50)["ok"]


def test_the_bot_cannot_post_in_a_public_channel_it_has_not_joined(
    client: WebClient, workspace: Workspace
) -> None:
    general = workspace.channel_named("general")
    assert error_of(lambda: client.chat_postMessage(channel=general.id, text="hi")) == "not_in_channel"


def test_history_is_newest_first_and_pages_by_cursor(client: WebClient, workspace: Workspace) -> None:
    pair = ",".join(u.id for u in workspace.humans()[:2])
    channel = client.conversations_open(users=pair)["channel"]["id"]
    for n in range(5):
        client.chat_postMessage(channel=channel, text=f"message {n}")
    first = client.conversations_history(channel=channel, limit=2)
    assert [m["text"] for m in first["messages"]] == ["message 4", "message 3"] and first["has_more"]
    texts = [
        m["text"] for page in client.conversations_history(channel=channel, limit=2) for m in page["messages"]
    ]
    assert texts == [f"message {n}" for n in range(4, -1, -1)]


def test_history_shows_metadata_only_when_asked(client: WebClient, workspace: Workspace) -> None:
    pair = ",".join(u.id for u in workspace.humans()[:2])
    channel = client.conversations_open(users=pair)["channel"]["id"]
    metadata = {"event_type": "serendip_intro", "event_payload": {"round_id": 12, "group": 3}}
    client.chat_postMessage(channel=channel, text="intro", metadata=metadata)
    plain = client.conversations_history(channel=channel)["messages"][0]
    full = client.conversations_history(channel=channel, include_all_metadata=True)["messages"][0]
    assert "metadata" not in plain
    assert full["metadata"] == metadata


def test_reading_history_outside_group_dms_needs_scopes_serendip_does_not_ask_for(
    client: WebClient, workspace: Workspace
) -> None:
    with pytest.raises(SlackApiError) as failure:
        client.conversations_history(channel=workspace.channel_named("coffee-chats").id)
    assert failure.value.response["error"] == "missing_scope"
    assert failure.value.response["needed"] == "channels:history"
    dm = client.conversations_open(users=workspace.humans()[0].id)["channel"]["id"]
    assert error_of(lambda: client.conversations_history(channel=dm)) == "missing_scope"


def test_chat_update_edits_only_the_bots_own_messages(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    someone = workspace.humans()[0].id
    posted = client.chat_postMessage(channel=someone, text="Did you meet?")
    updated = client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Thanks, noted!")
    assert updated["message"]["text"] == "Thanks, noted!" and "edited" in updated["message"]
    theirs = emulator.workspace.post_as_user(posted["channel"], someone, "we met!")
    assert (
        error_of(lambda: client.chat_update(channel=posted["channel"], ts=theirs.ts, text="x"))
        == "cant_update_message"
    )
    assert (
        error_of(lambda: client.chat_update(channel=posted["channel"], ts="1.000001", text="x"))
        == "message_not_found"
    )


def test_ephemeral_messages_reach_only_members_of_the_channel(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    coffee = workspace.channel_named("coffee-chats")
    member = workspace.humans()[0].id
    client.chat_postEphemeral(channel=coffee.id, user=member, text="Only you can see this")
    assert [e.text for e in emulator.ephemerals(member, coffee.id)] == ["Only you can see this"]
    workspace.leave(coffee.id, member)
    assert (
        error_of(lambda: client.chat_postEphemeral(channel=coffee.id, user=member, text="x"))
        == "user_not_in_channel"
    )


def test_conversations_list_shows_public_channels_and_refuses_unknown_types(client: WebClient) -> None:
    names = {c["name"] for c in client.conversations_list()["channels"]}
    assert {"coffee-chats", "general"} <= names
    assert error_of(lambda: client.conversations_list(types="bogus")) == "invalid_types"


def test_users_can_be_looked_up_by_email(client: WebClient, workspace: Workspace) -> None:
    person = workspace.humans()[3]
    assert client.users_lookupByEmail(email=str(person.email).upper())["user"]["id"] == person.id
    assert error_of(lambda: client.users_lookupByEmail(email="nobody@example.com")) == "users_not_found"


def test_a_channel_can_be_named_with_a_hash_when_posting(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    posted = client.chat_postMessage(channel="#coffee-chats", text="Round 3 starts Monday")
    assert posted["channel"] == workspace.channel_named("coffee-chats").id
    assert emulator.messages(posted["channel"])[-1]["text"] == "Round 3 starts Monday"


def test_the_call_log_records_method_arguments_and_outcome_without_the_token(
    client: WebClient, emulator: SlackEmulator
) -> None:
    with pytest.raises(SlackApiError):
        client.users_info(user="U0NOBODY00")
    (call,) = emulator.calls_to("users.info")
    assert (call.params, call.status, call.ok, call.error) == (
        {"user": "U0NOBODY00"},
        200,
        False,
        "user_not_found",
    )
    assert emulator.count("users.info", ok=False) == 1


def test_concurrent_posts_all_land_with_unique_increasing_timestamps(
    emulator: SlackEmulator, workspace: Workspace
) -> None:
    pair = ",".join(u.id for u in workspace.humans()[:2])
    poster = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    channel = poster.conversations_open(users=pair)["channel"]["id"]

    def post(n: int) -> str:
        return str(
            WebClient(token=emulator.bot_token, base_url=emulator.api_url).chat_postMessage(
                channel=channel, text=f"post {n}"
            )["ts"]
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = list(pool.map(post, range(40)))
    stored = [m["ts"] for m in emulator.messages(channel)]
    assert len(set(stamps)) == 40
    assert sorted(stored) == sorted(stamps) and stored == sorted(stored, key=float)
