"""Block Kit builders are pure and stay within Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from serendip.adapters.slack.views import blocks, intro_blocks
from serendip.domain.intro_content import IntroPerson, build_card


def test_user_text_is_escaped_for_mrkdwn() -> None:
    assert blocks.escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_a_section_never_exceeds_three_thousand_characters() -> None:
    assert len(blocks.section("x" * 5000)["text"]["text"]) == 3000


def test_usage_errors_say_what_was_wrong_and_how_to_do_it() -> None:
    payload = blocks.usage_error("Unknown command `foo`", "`/coffee help`")
    assert payload["response_type"] == "ephemeral"
    assert "foo" in payload["blocks"][0]["text"]["text"]


def test_intro_message_carries_the_intro_id_in_metadata_and_three_buttons() -> None:
    people = [
        IntroPerson(
            "U1",
            "Ada",
            "Eng",
            "Engineer",
            "Europe/Berlin",
            60,
            (540, 1020),
            frozenset({"python"}),
            frozenset(),
        ),
        IntroPerson(
            "U2",
            "Bo",
            "Sales",
            None,
            "America/New_York",
            -300,
            (540, 1020),
            frozenset(),
            frozenset({"python"}),
        ),
    ]
    text, message_blocks, metadata = intro_blocks.intro_message(
        build_card(42, people, 1), datetime(2026, 11, 23, tzinfo=UTC)
    )
    assert metadata == {"event_type": "serendip_intro", "event_payload": {"intro_id": 42}}
    assert [e["action_id"] for e in message_blocks[-1]["elements"]] == [
        "intro_met",
        "intro_scheduled",
        "intro_cant_make_it",
    ]
    assert text == "Meet each other: Ada, Bo" and len(message_blocks) <= 50
    assert "<@U1>" in message_blocks[0]["text"]["text"]
    assert any("wants to learn" in b.get("text", {}).get("text", "") for b in message_blocks)
