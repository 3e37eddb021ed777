"""The driver talks to a real Bolt app over signed HTTP exactly as Slack does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

from serendip_sandbox import SlackDriver, SlackEmulator, Workspace

PROFILE_MODAL = {
    "type": "modal",
    "callback_id": "profile",
    "title": {"type": "plain_text", "text": "Your profile"},
    "submit": {"type": "plain_text", "text": "Save"},
    "notify_on_close": True,
    "blocks": [
        {
            "type": "input",
            "block_id": "team",
            "label": {"type": "plain_text", "text": "Team"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "hours",
            "label": {"type": "plain_text", "text": "Working hours"},
            "element": {
                "type": "static_select",
                "action_id": "choice",
                "options": [
                    {"text": {"type": "plain_text", "text": "9–17"}, "value": "9-17"},
                    {"text": {"type": "plain_text", "text": "8–16"}, "value": "8-16"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "tags",
            "label": {"type": "plain_text", "text": "Expertise"},
            "element": {"type": "multi_external_select", "action_id": "pick", "min_query_length": 1},
        },
    ],
}


def test_a_signed_slash_command_is_acked_and_its_response_url_works(
    bolt_app: App, driver: SlackDriver, workspace: Workspace
) -> None:
    @bolt_app.command("/coffee")
    def coffee(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack(f"Got `{command['text']}` from <@{command['user_id']}> in {command['channel_name']}")
        respond({"response_type": "ephemeral", "text": "You are in! Next round on Monday."})

    member = workspace.humans()[0]
    coffee_chats = workspace.channel_named("coffee-chats")
    result = driver.slash_command(member.id, "join", channel_id=coffee_chats.id)
    assert result.status == 200
    assert result.text == f"Got `join` from <@{member.id}> in coffee-chats"
    assert result.wait_for_responses(1)[0]["text"] == "You are in! Next round on Monday."
    # Bolt acks before the listener finishes, so the two may reach the user in either order.
    assert sorted(seen.text for seen in result.seen()) == sorted(
        [result.text, "You are in! Next round on Monday."]
    )


def test_requests_with_a_bad_missing_or_stale_signature_get_401(
    bolt_app: App, driver: SlackDriver, workspace: Workspace
) -> None:
    handled: list[str] = []

    @bolt_app.command("/coffee")
    def coffee(ack: Ack, command: dict[str, Any]) -> None:
        handled.append(command["text"])
        ack()

    member = workspace.humans()[0].id
    assert driver.bad_signature(member, "leave").status == 401
    assert driver.unsigned(member, "leave").status == 401
    assert driver.stale(member, "leave").status == 401
    assert driver.slash_command(member, "status").status == 200
    assert handled == ["status"]


def test_events_arrive_as_event_callbacks_and_change_the_workspace_first(
    bolt_app: App, driver: SlackDriver, emulator: SlackEmulator, workspace: Workspace
) -> None:
    joined: list[dict[str, Any]] = []

    @bolt_app.event("member_joined_channel")
    def on_join(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        joined.append(body)
        client.chat_postMessage(channel=event["user"], text="Welcome! Fill in your profile.")

    coffee_chats = workspace.channel_named("coffee-chats")
    newcomer = workspace.channel_named("general").members[-1]
    workspace.leave(coffee_chats.id, newcomer)
    assert driver.member_joined_channel(newcomer, coffee_chats.id).status == 200
    emulator.wait_until(lambda _: emulator.dm_messages(newcomer))
    (body,) = joined
    assert body["type"] == "event_callback" and body["event_id"].startswith("Ev")
    assert body["authorizations"][0]["user_id"] == workspace.bot.id
    assert body["event"]["channel_type"] == "C"
    assert newcomer in workspace.channel_named("coffee-chats").members


def test_app_home_opened_and_user_change_carry_slacks_event_shapes(
    bolt_app: App, driver: SlackDriver, emulator: SlackEmulator, workspace: Workspace
) -> None:
    events: list[dict[str, Any]] = []

    @bolt_app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        events.append(event)
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Next intro: Monday"}}],
            },
        )

    @bolt_app.event("user_change")
    def on_change(event: dict[str, Any]) -> None:
        events.append(event)

    member = workspace.humans()[2].id
    driver.app_home_opened(member)
    emulator.wait_until(lambda _: emulator.home_view(member))
    workspace.user(member).title = "Principal Engineer"
    driver.user_change(member)
    emulator.wait_until(lambda _: len(events) == 2)
    assert events[0]["tab"] == "home" and events[0]["channel"].startswith("D")
    assert events[1]["user"]["profile"]["title"] == "Principal Engineer"


def test_url_verification_echoes_the_challenge(driver: SlackDriver) -> None:
    assert driver.url_verification("abc123").json == {"challenge": "abc123"}


def test_a_button_click_reaches_the_action_handler_with_the_message_context(
    bolt_app: App, driver: SlackDriver, emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    clicks: list[dict[str, Any]] = []

    @bolt_app.action("met")
    def on_met(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        clicks.append(body)
        respond(replace_original=True, text="Great, glad you met!")

    pair = [u.id for u in workspace.humans()[:2]]
    dm = client.conversations_open(users=",".join(pair))["channel"]["id"]
    client.chat_postMessage(
        channel=dm,
        text="Meet each other",
        blocks=[
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "met",
                        "value": "round-1",
                        "text": {"type": "plain_text", "text": "We met"},
                    }
                ],
            }
        ],
    )
    (intro,) = emulator.messages(dm)
    assert driver.block_action(pair[0], "met", "round-1", message=intro).status == 200
    emulator.wait_until(lambda _: emulator.messages(dm)[0]["text"] == "Great, glad you met!")
    action = clicks[0]["actions"][0]
    assert action["block_id"] == intro["blocks"][0]["block_id"] and action["type"] == "button"
    assert clicks[0]["container"] == {
        "type": "message",
        "message_ts": intro["ts"],
        "channel_id": dm,
        "is_ephemeral": False,
    }


def test_a_modal_opened_from_a_command_can_be_searched_submitted_and_closed(
    bolt_app: App, driver: SlackDriver, emulator: SlackEmulator, workspace: Workspace
) -> None:
    submitted: list[dict[str, Any]] = []

    @bolt_app.command("/coffee")
    def coffee(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=PROFILE_MODAL)

    @bolt_app.options("pick")
    def suggest(ack: Ack, payload: dict[str, Any]) -> None:
        ack(
            options=[
                {"text": {"type": "plain_text", "text": t}, "value": t}
                for t in ("python", "pyspark")
                if t.startswith(payload["value"])
            ]
        )

    @bolt_app.view("profile")
    def save(ack: Ack, view: dict[str, Any]) -> None:
        if not view["state"]["values"]["team"]["value"]["value"]:
            ack(response_action="errors", errors={"team": "Tell us your team"})
            return
        submitted.append(view["state"]["values"])
        ack()

    member = workspace.humans()[0].id
    assert driver.slash_command(member, "profile").status == 200
    (profile,) = emulator.wait_until(lambda _: emulator.open_modals(member))
    options = driver.block_suggestion(member, "pick", "py", profile)
    assert [o["value"] for o in options["options"]] == ["python", "pyspark"]
    driver.view_submission(member, profile, {"hours": {"choice": "8-16"}})
    assert emulator.view_errors(profile["id"]) == {"team": "Tell us your team"}
    driver.view_submission(member, profile, {"team": {"value": "Data"}, "tags": {"pick": ["python"]}})
    assert emulator.open_modals(member) == []
    values = submitted[0]
    assert values["team"]["value"]["value"] == "Data"
    assert values["hours"]["choice"]["selected_option"] is None
    assert values["tags"]["pick"]["selected_options"][0]["value"] == "python"


def test_leaving_the_channel_and_a_retried_event_reach_the_app_with_slacks_headers(
    bolt_app: App, driver: SlackDriver, emulator: SlackEmulator, workspace: Workspace
) -> None:
    seen: list[tuple[str, str | None]] = []

    @bolt_app.event("member_left_channel")
    def on_leave(body: dict[str, Any], request: BoltRequest) -> None:
        seen.append((body["event_id"], request.headers.get("x-slack-retry-num", [None])[0]))

    coffee_chats = workspace.channel_named("coffee-chats")
    leaver = workspace.humans()[5].id
    first = driver.member_left_channel(leaver, coffee_chats.id)
    assert leaver not in workspace.channel_named("coffee-chats").members
    driver.deliver_envelope(dict(first.sent), retry_attempt=1)
    emulator.wait_until(lambda _: len(seen) == 2)
    assert seen[0][0] == seen[1][0]
    assert [retry for _, retry in seen] == [None, "1"]


def test_a_button_in_an_ephemeral_message_has_an_ephemeral_container(
    bolt_app: App, driver: SlackDriver, emulator: SlackEmulator, workspace: Workspace
) -> None:
    containers: list[dict[str, Any]] = []

    @bolt_app.command("/coffee")
    def coffee(ack: Ack) -> None:
        ack(
            blocks=[
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "join",
                            "value": "C1",
                            "text": {"type": "plain_text", "text": "Join"},
                        }
                    ],
                }
            ],
            text="Pick a program",
        )

    @bolt_app.action("join")
    def on_join(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        containers.append(body["container"])
        respond(replace_original=True, text="Joined!")

    member = workspace.humans()[0].id
    (menu,) = driver.slash_command(member, "join").seen()
    assert driver.block_action(member, "join", "C1", message=menu).status == 200
    emulator.wait_until(lambda _: any(e.text == "Joined!" for e in emulator.ephemerals(member)))
    assert containers[0]["is_ephemeral"] is True
    assert emulator.ephemerals(member)[0].replaced


def test_closing_a_modal_sends_view_closed_only_when_asked(
    bolt_app: App, driver: SlackDriver, emulator: SlackEmulator, client: WebClient, workspace: Workspace
) -> None:
    closed: list[str] = []

    @bolt_app.view_closed("profile")
    def on_close(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        closed.append(view["id"])

    member = workspace.humans()[0].id
    view = client.views_open(trigger_id=emulator.issue_trigger(member), view=PROFILE_MODAL)["view"]
    assert driver.view_closed(member, view).status == 200
    assert closed == [view["id"]] and emulator.open_modals(member) == []


BUSY = "Too busy: try again."


def test_a_person_told_to_try_again_sends_the_command_again_signed_afresh(
    bolt_app: App, driver: SlackDriver, workspace: Workspace
) -> None:
    seen: list[str] = []

    @bolt_app.command("/coffee")
    def coffee(ack: Ack, command: dict[str, Any]) -> None:
        seen.append(command["trigger_id"])
        ack(BUSY if len(seen) < 3 else "Done.")

    driver.try_again = BUSY
    result = driver.slash_command(workspace.humans()[0].id, "help")
    assert result.text == "Done." and len(seen) == 3 and len(set(seen)) == 3  # three sends, each new


def test_a_bot_that_stays_busy_is_sent_the_command_three_times_and_its_answer_shown(
    bolt_app: App, driver: SlackDriver, workspace: Workspace
) -> None:
    seen: list[str] = []

    @bolt_app.command("/coffee")
    def coffee(ack: Ack, command: dict[str, Any]) -> None:
        seen.append(command["trigger_id"])
        ack(BUSY)

    driver.try_again = BUSY
    assert driver.slash_command(workspace.humans()[0].id, "help").text == BUSY and len(seen) == 3
    driver.try_again = None  # by default the driver sends once, whatever the answer
    assert driver.slash_command(workspace.humans()[0].id, "help").text == BUSY and len(seen) == 4


def test_an_event_answered_503_is_redelivered_as_slack_does_signed_afresh(
    bolt_app: App, driver: SlackDriver, workspace: Workspace
) -> None:
    deliveries: list[tuple[str, str]] = []

    @bolt_app.middleware
    def busy_but_the_third(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        headers = {name: values[0] for name, values in req.headers.items()}
        deliveries.append((headers.get("x-slack-retry-num", ""), headers["x-slack-signature"]))
        return next() if len(deliveries) == 3 else BoltResponse(status=503, body="try again")

    @bolt_app.event("app_home_opened")
    def home() -> None:
        """Handled: the third delivery gets its 200."""

    newcomer = workspace.humans()[0].id
    driver.try_again = BUSY
    assert driver.event({"type": "app_home_opened", "user": newcomer, "tab": "home"}).status == 200
    assert [num for num, _ in deliveries] == ["", "1", "2"]  # Slack's X-Slack-Retry-Num
    assert len({signature for _, signature in deliveries}) == 3  # each signed in its own second
    driver.try_again = None  # by default an event is delivered once, whatever the answer
    assert driver.event({"type": "app_home_opened", "user": newcomer, "tab": "home"}).status == 503
    assert len(deliveries) == 4
