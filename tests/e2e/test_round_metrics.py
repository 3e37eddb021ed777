"""A round run through the bot shows up in /metrics: planned, delivered, with a delivery lag."""

from __future__ import annotations

import re

import httpx

from tests.e2e.conftest import Sandbox


def _sample(text: str, name: str) -> float:
    """The value of an unlabelled sample in Prometheus text (0 when absent)."""
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def _metrics(sb: Sandbox) -> str:
    url = sb.bot.events_url.replace("/slack/events", "/metrics")
    answer = httpx.get(url, timeout=10)
    assert answer.status_code == 200
    return answer.text


def test_a_round_counts_one_planned_round_and_each_delivered_intro_in_metrics(sandbox: Sandbox) -> None:
    sb = sandbox
    before = _metrics(sb)
    admin = sb.humans[0]
    sb.driver.slash_command(admin, "admin setup", channel_id=sb.channel).wait_for_responses(1, 30)
    sb.driver.slash_command(admin, "admin run", channel_id=sb.channel).wait_for_responses(1, 30)
    sb.slack.wait_for_messages(sb.channel, 1, timeout=60)  # the round summary: delivery has finished
    posted = len([c for c in sb.slack.group_dms() if sb.slack.messages(c.id)])  # counted from Slack's side
    assert posted > 0
    after = sb.slack.wait_until(
        lambda _: (
            text
            if _sample(text := _metrics(sb), "serendip_intros_delivered_total")
            - _sample(before, "serendip_intros_delivered_total")
            >= posted
            else None
        ),
        30,
    )
    delivered = _sample(after, "serendip_intros_delivered_total") - _sample(
        before, "serendip_intros_delivered_total"
    )
    assert delivered == posted
    assert (
        _sample(after, "serendip_rounds_planned_total") - _sample(before, "serendip_rounds_planned_total")
        == 1
    )
    lag_count = _sample(after, "serendip_delivery_lag_seconds_count") - _sample(
        before, "serendip_delivery_lag_seconds_count"
    )
    assert lag_count == posted
