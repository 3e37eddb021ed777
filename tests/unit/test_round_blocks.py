"""The delivery estimate admins see before a large round."""

from __future__ import annotations

from serendip.adapters.slack.views.round_blocks import estimate_text
from serendip.services.lifecycle.deliver import delivery_estimate_seconds
from serendip.services.lifecycle.failures import Failure, classify


def test_ten_thousand_pairs_take_over_three_hours_at_tier_three() -> None:
    assert delivery_estimate_seconds(10_000) > 3 * 3600
    assert "3.3 hours" in estimate_text(10_000) and "warning" not in estimate_text(10_000)


def test_rounds_over_six_hours_come_with_a_warning() -> None:
    assert estimate_text(20_000).startswith(":warning:")


def test_small_rounds_are_estimated_in_seconds() -> None:
    assert "about 24 seconds" in estimate_text(20)


def test_connection_errors_are_ambiguous_not_permanent() -> None:
    assert classify(ConnectionResetError())[0] is Failure.TRANSIENT


def test_the_round_summary_counts_pairs_that_met_recently_and_never_shows_them_when_there_are_none() -> None:
    from serendip.adapters.slack.views.intro_blocks import round_summary
    from serendip.services.lifecycle.results import RoundSummary

    summary = RoundSummary(1, 1, "C1", eligible=10, groups=5, delivered=5, quality={"repeats": 1})
    assert "1 pair had already met in a recent round." in round_summary(summary)[0]
    summary.quality = {"repeats": 0, "cross_team_rate": 1.0, "cross_team_bound": 1.0}
    assert "already met" not in round_summary(summary)[0]


def test_a_held_round_reply_says_nothing_was_sent_and_where_the_details_are() -> None:
    from serendip.adapters.slack.views.round_blocks import run_held

    text = run_held(42)
    assert "held back" in text and "nothing was sent" in text and "round 42" in text
