"""A round as admins and participants see it: preview, run, intros in group DMs, outcome buttons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from serendip.services.lifecycle.deliver import DeliveryPolicy
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox, running_sandbox
from tests.support.admin_run import first_round, set_up
from tests.support.rounds import intro_posts, placements


@pytest.fixture
def big_program(database_url: str) -> Iterator[Sandbox]:
    """A 200-person program, set up through a signed /coffee admin setup.

    The bot keeps to Slack's Tier 3 (50 group DMs a "minute"); the minute is scaled to 5 s here, so
    100 intros still span three budget windows without a minute of waiting per test."""
    with running_sandbox(database_url, people=200, departments=8, seed=21) as sandbox:
        sandbox.bot.container.delivery_policy = DeliveryPolicy(budget_window=5.0)
        setup = sandbox.driver.slash_command(sandbox.humans[0], "admin setup", channel_id=sandbox.channel)
        setup.wait_for_responses(1, 60)
        yield sandbox


def test_a_200_person_round_puts_everyone_in_exactly_one_intro_posted_once(big_program: Sandbox) -> None:
    sb = big_program
    preview = sb.driver.slash_command(sb.humans[0], "admin preview", channel_id=sb.channel)
    assert "200 eligible people in 100 groups" in str(preview.wait_for_responses(1, 60)[0]["blocks"])
    assert sb.slack.count("conversations.open") == 0  # a preview sends nothing
    run = sb.driver.slash_command(sb.humans[0], "admin run", channel_id=sb.channel)
    assert "Round started: 200 people in 100 intros" in run.wait_for_responses(1, 60)[0]["text"]
    sb.slack.wait_until(lambda _: len(intro_posts(sb.slack)) == 100, 150)
    summary = sb.slack.wait_for_messages(sb.channel, 1, timeout=30)
    assert "100 of 100 intros delivered" in summary[-1]["text"]
    assert set(intro_posts(sb.slack).values()) == {1}
    assert set(placements(sb.slack).values()) == {1} and len(placements(sb.slack)) == 200
    assert sb.slack.count("chat.postMessage") == 200 + 100 + 1  # welcomes, one post per intro, the summary
    opened = sorted(call.at for call in sb.slack.calls_to("conversations.open"))
    busiest = max(sum(1 for t in opened if start <= t < start + 5.0) for start in opened)
    assert busiest <= 50  # the bot kept to the (scaled) Tier-3 minute by itself, from Slack's own log


@SQLITE_ONLY  # the listing is a text: the 200-person round above proves the storage on both engines
def test_preview_with_names_lists_the_groups(big_program: Sandbox) -> None:
    sb = big_program
    preview = sb.driver.slash_command(sb.humans[0], "admin preview names", channel_id=sb.channel)
    listed = str(preview.wait_for_responses(1, 60)[0]["blocks"])
    assert listed.count("<@") >= 200


def test_we_met_records_the_answer_and_updates_the_intro(sandbox: Sandbox) -> None:
    # The 12-person sandbox: a 200-person round spends some 10 s in Tier-3 windows before the first click.
    sb = sandbox
    first_round(sb, set_up(sb))
    conversation = sb.slack.group_dms()[0]
    intro = sb.slack.messages(conversation.id)[0]
    member = next(u for u in conversation.members if u != sb.workspace.bot.id)
    outsider = next(u for u in sb.humans if u not in conversation.members)
    sb.driver.block_action(
        member,
        "intro_met",
        intro["metadata"]["event_payload"]["intro_id"]
        and str(intro["metadata"]["event_payload"]["intro_id"]),
        channel_id=conversation.id,
        message=intro,
    )
    updated = sb.slack.wait_until(
        lambda _: next(
            (m for m in sb.slack.messages(conversation.id) if "intro_answers" in str(m.get("blocks"))), None
        ),
        10,
    )
    assert f"<@{member}> :white_check_mark: met" in str(updated["blocks"])
    sb.driver.block_action(
        outsider,
        "intro_met",
        str(intro["metadata"]["event_payload"]["intro_id"]),
        channel_id=conversation.id,
        message=intro,
    )
    sb.slack.wait_until(
        lambda _: any("Only the people introduced" in str(e) for e in sb.slack.ephemerals(outsider)), 10
    )
