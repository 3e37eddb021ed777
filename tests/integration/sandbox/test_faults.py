"""Rate limits, injected 5xx and ambiguous failures behave like Slack's, and slack_sdk copes."""

from __future__ import annotations

import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from serendip_sandbox import SlackEmulator, Workspace


def group_dm(client: WebClient, workspace: Workspace) -> str:
    """Open a group DM of three members and return its id."""
    trio = ",".join(u.id for u in workspace.humans()[:3])
    return str(client.conversations_open(users=trio)["channel"]["id"])


def test_going_over_the_tier_limit_answers_429_with_retry_after(emulator: SlackEmulator) -> None:
    emulator.rate_limit("users.list", per_minute=2, window_seconds=60)
    headers = {"Authorization": f"Bearer {emulator.bot_token}"}
    answers = [httpx.post(f"{emulator.api_url}users.list", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json() == {"ok": False, "error": "ratelimited"}
    retry_after = answers[2].headers["Retry-After"]
    assert retry_after.isdigit() and 58 <= int(retry_after) <= 60
    assert emulator.calls_to("users.list")[-1].fault == "ratelimited"


def test_the_window_slides_so_calls_succeed_again_after_retry_after(
    emulator: SlackEmulator, client: WebClient
) -> None:
    emulator.rate_limit("team.info", per_minute=2, window_seconds=1.0)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    started = time.monotonic()
    for _ in range(3):
        assert client.team_info()["ok"]
    assert time.monotonic() - started >= 1.0
    assert emulator.count("team.info") == 4
    assert emulator.count("team.info", ok=False) == 1


def test_slack_sdks_retry_handler_honours_a_burst_of_429s(
    emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    emulator.burst_429("chat.postMessage", count=2, retry_after=0)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    someone = workspace.humans()[0].id
    assert client.chat_postMessage(channel=someone, text="after the storm")["ok"]
    assert [c.status for c in emulator.calls_to("chat.postMessage")] == [429, 429, 200]
    assert len(emulator.dm_messages(someone)) == 1


def test_without_a_retry_handler_the_429_reaches_the_caller(
    emulator: SlackEmulator, client: WebClient
) -> None:
    emulator.burst_429("users.info", count=1, retry_after=7)
    with pytest.raises(SlackApiError) as failure:
        client.users_info(user=emulator.workspace.humans()[0].id)
    assert failure.value.response.status_code == 429
    assert failure.value.response.headers["Retry-After"] == "7"


def test_an_injected_429_share_answers_retry_after_without_doing_it(
    emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    channel = group_dm(client, workspace)
    emulator.inject("chat.postMessage", ratelimited_rate=1.0, retry_after=3)
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=channel, text="held back")
    assert failure.value.response.status_code == 429
    assert failure.value.response.headers["Retry-After"] == "3"
    assert emulator.messages(channel) == []


def test_a_fractional_retry_after_is_sent_as_is_and_a_whole_one_without_a_point(
    emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    channel = group_dm(client, workspace)
    emulator.burst_429("chat.postMessage", count=2, retry_after=0.1)
    emulator.burst_429("chat.postMessage", count=1, retry_after=2.0)
    headers = []
    for _ in range(3):
        with pytest.raises(SlackApiError) as failure:
            client.chat_postMessage(channel=channel, text="held back")
        headers.append(failure.value.response.headers["Retry-After"])
    assert headers == ["0.1", "0.1", "2"]


def test_an_injected_5xx_fails_the_call_without_doing_it(
    emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    channel = group_dm(client, workspace)
    emulator.inject("chat.postMessage", error_rate=1.0, status=503)
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=channel, text="lost")
    assert failure.value.response.status_code == 503
    assert failure.value.response["error"] == "service_unavailable"
    assert emulator.messages(channel) == []


def test_an_ambiguous_failure_posts_the_message_yet_answers_500(
    emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    channel = group_dm(client, workspace)
    emulator.inject("chat.postMessage", ambiguous_rate=1.0)
    metadata = {"event_type": "serendip_intro", "event_payload": {"round_id": 4, "group_key": "g-1"}}
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=channel, text="Meet each other!", metadata=metadata)
    assert failure.value.response.status_code == 500
    emulator.clear_faults()
    history = client.conversations_history(channel=channel, include_all_metadata=True)["messages"]
    assert [(m["text"], m["metadata"]) for m in history] == [("Meet each other!", metadata)]
    assert emulator.calls_to("chat.postMessage")[0].fault == "ambiguous"


def test_seeded_fault_injection_fails_the_same_calls_every_run(workspace: Workspace) -> None:
    def outcomes() -> list[int]:
        with SlackEmulator(workspace) as emulator:
            emulator.inject("auth.test", error_rate=0.5, seed=42)
            with httpx.Client(headers={"Authorization": f"Bearer {emulator.bot_token}"}) as http:
                return [http.post(f"{emulator.api_url}auth.test").status_code for _ in range(20)]

    first = outcomes()
    assert first == outcomes()
    assert 0 < first.count(500) < 20


def test_a_wildcard_fault_applies_to_every_method(emulator: SlackEmulator, client: WebClient) -> None:
    emulator.inject("*", error_rate=1.0, status=502)
    for call in (client.auth_test, client.team_info):
        with pytest.raises(SlackApiError) as failure:
            call()
        assert failure.value.response.status_code == 502
    emulator.clear_faults("*")
    assert client.auth_test()["ok"]


def test_slack_tiers_limit_chat_post_message_per_channel(
    emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    emulator.apply_slack_tiers(window_seconds=60)
    first, second = (u.id for u in workspace.humans()[:2])
    assert client.chat_postMessage(channel=first, text="one")["ok"]
    assert client.chat_postMessage(channel=second, text="another channel")["ok"]
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=first, text="too fast")
    assert failure.value.response.status_code == 429
