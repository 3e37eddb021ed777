"""The delivery estimate admins see before a large round."""

from __future__ import annotations

from serendip.adapters.slack.round_blocks import estimate_text
from serendip.services.delivery import delivery_estimate_seconds
from serendip.services.delivery_errors import Failure, classify


def test_ten_thousand_pairs_take_over_three_hours_at_tier_three() -> None:
    assert delivery_estimate_seconds(10_000) > 3 * 3600
    assert "3.3 hours" in estimate_text(10_000) and "warning" not in estimate_text(10_000)


def test_rounds_over_six_hours_come_with_a_warning() -> None:
    assert estimate_text(20_000).startswith(":warning:")


def test_small_rounds_are_estimated_in_seconds() -> None:
    assert "about 24 seconds" in estimate_text(20)


def test_connection_errors_are_ambiguous_not_permanent() -> None:
    assert classify(ConnectionResetError())[0] is Failure.TRANSIENT
