"""File uploads (v2 flow), App Home publishing and modal lifecycles work end to end."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from serendip_sandbox import SlackEmulator, Workspace

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def modal(title: str = "Your profile", blocks: int = 1) -> dict[str, object]:
    """A minimal modal with ``blocks`` input blocks."""
    inputs = [
        {
            "type": "input",
            "block_id": f"b{n}",
            "label": {"type": "plain_text", "text": "Team"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
        for n in range(blocks)
    ]
    return {
        "type": "modal",
        "callback_id": "profile",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": inputs,
    }


def home(blocks: int) -> dict[str, object]:
    """An App Home view with ``blocks`` section blocks."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "*Your next intro*"}}
    return {"type": "home", "blocks": [dict(section) for _ in range(blocks)]}


def test_files_upload_v2_stores_the_bytes_and_shares_them_in_the_channel(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    someone = workspace.humans()[0].id
    dm = client.conversations_open(users=someone)["channel"]["id"]
    answer = client.files_upload_v2(
        channel=dm,
        content=PNG,
        filename="network.png",
        title="Network growth",
        initial_comment="This round's chart",
    )
    (uploaded,) = emulator.uploaded_files()
    assert answer["file"]["id"] == uploaded.id
    assert uploaded.data == PNG and uploaded.title == "Network growth"
    assert [share[0] for share in uploaded.shares] == [dm]
    (message,) = emulator.messages(dm)
    assert message["text"] == "This round's chart"
    assert message["files"][0]["name"] == "network.png"
    assert emulator.calls_to("files.getUploadURLExternal")[0].params["length"] == str(len(PNG))


def test_completing_an_upload_that_never_happened_fails(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as failure:
        client.files_completeUploadExternal(files=[{"id": "F0NOTHERE0", "title": "x"}])
    assert failure.value.response["error"] == "file_not_found"


def test_views_publish_sets_the_users_home_and_keeps_its_view_id(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    someone = workspace.humans()[0].id
    first = client.views_publish(user_id=someone, view=home(3))["view"]
    second = client.views_publish(user_id=someone, view=home(5), hash=first["hash"])["view"]
    published = emulator.home_view(someone)
    assert published is not None and len(published["blocks"]) == 5
    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    with pytest.raises(SlackApiError) as failure:
        client.views_publish(user_id=someone, view=home(1), hash=first["hash"])
    assert failure.value.response["error"] == "hash_conflict"


def test_a_home_view_over_one_hundred_blocks_is_invalid_arguments(
    client: WebClient, workspace: Workspace
) -> None:
    with pytest.raises(SlackApiError) as failure:
        client.views_publish(user_id=workspace.humans()[0].id, view=home(101))
    assert failure.value.response["error"] == "invalid_arguments"
    assert "no more than 100 items" in failure.value.response["response_metadata"]["messages"][0]
    assert client.views_publish(user_id=workspace.humans()[0].id, view=home(100))["ok"]


def test_views_open_needs_a_fresh_unused_trigger(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    someone = workspace.humans()[0].id
    trigger = emulator.issue_trigger(someone)
    opened = client.views_open(trigger_id=trigger, view=modal())["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "profile"
    assert [v["id"] for v in emulator.open_modals(someone)] == [opened["id"]]
    for bad_trigger, code in ((trigger, "exchanged_trigger_id"), ("123.456.abc", "invalid_trigger_id")):
        with pytest.raises(SlackApiError) as failure:
            client.views_open(trigger_id=bad_trigger, view=modal())
        assert failure.value.response["error"] == code


def test_a_trigger_expires_after_three_seconds(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    workspace.trigger_ttl_seconds = 0.0
    with pytest.raises(SlackApiError) as failure:
        client.views_open(trigger_id=emulator.issue_trigger(workspace.humans()[0].id), view=modal())
    assert failure.value.response["error"] == "expired_trigger_id"


def test_views_open_rejects_a_missing_trigger_and_a_long_title(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    with pytest.raises(SlackApiError) as missing:
        client.api_call("views.open", json={"view": modal()})
    assert missing.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as too_long:
        client.views_open(
            trigger_id=emulator.issue_trigger(workspace.humans()[0].id),
            view=modal(title="A title far longer than twenty-four"),
        )
    assert too_long.value.response["error"] == "invalid_arguments"


def test_views_update_and_push_follow_the_modal_stack(
    client: WebClient, emulator: SlackEmulator, workspace: Workspace
) -> None:
    someone = workspace.humans()[0].id
    root = client.views_open(trigger_id=emulator.issue_trigger(someone), view=modal())["view"]
    updated = client.views_update(view_id=root["id"], hash=root["hash"], view=modal(blocks=2))["view"]
    assert len(updated["blocks"]) == 2
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=root["id"], hash=root["hash"], view=modal())
    assert stale.value.response["error"] == "hash_conflict"
    pushed = client.views_push(trigger_id=emulator.issue_trigger(someone), view=modal("Step 2"))["view"]
    assert pushed["previous_view_id"] == root["id"] and pushed["root_view_id"] == root["id"]
    assert len(emulator.open_modals(someone)) == 2
