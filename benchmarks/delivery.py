"""Delivery speed at Slack's Tier 3 limit for conversations.open, the bottleneck of a round.

The emulator enforces Tier 3 (50 calls per sliding window) on conversations.open. 100 intros need
at least one full window of waiting after the first 50; the figure is that minimum divided by the
time taken (goal >= 0.9), with the 429s received. The baseline, measured in the same run, paces
calls evenly at the documented rate instead of sending until Slack says 429.
Run: python benchmarks/deliver.py [--window 20]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers

from tests.support.rounds import intro_posts, publisher_for, set_up_program

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import deliver, plan
from serendip_sandbox import SlackEmulator, generate_workspace

INTROS = 100
LIMIT = 50


class PacedPublisher:
    """Baseline: sleep window/limit before every conversations.open (never sees a 429)."""

    def __init__(self, inner: object, pause: float) -> None:
        self.inner, self.pause = inner, pause

    def open_group(self, user_ids: list[str]) -> str:
        time.sleep(self.pause)
        return self.inner.open_group(user_ids)  # type: ignore[attr-defined,no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def run(window: float, paced: bool) -> tuple[float, int, int]:
    """Deliver one 100-intro round; returns seconds, 429s received and intros posted."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        SlackEmulator(generate_workspace(INTROS * 2, 8, seed=3)) as slack,
    ):
        database = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(database)
        planned = plan.plan_round(
            database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=1
        )
        assert planned is not None and planned.intros == INTROS
        slack.rate_limit("conversations.open", per_minute=LIMIT, window_seconds=window)
        publisher = publisher_for(slack)
        chosen = PacedPublisher(publisher, window / LIMIT) if paced else publisher
        started = time.perf_counter()
        deliver.deliver_pending(database, chosen, deliver.DeliveryPolicy())  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        posted = len(intro_posts(slack))
        database.dispose()
        return seconds, slack.count("conversations.open", ok=False), posted


def main() -> None:
    """Print both strategies side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window", type=float, default=20.0, help="seconds standing in for Slack's minute")
    args = parser.parse_args()
    minimum = args.window * (math.ceil(INTROS / LIMIT) - 1)
    print(
        f"{INTROS} intros, conversations.open limited to {LIMIT} per {args.window:.0f}s sliding window; "
        f"minimum {minimum:.1f}s"
    )
    print(f"{'strategy':38} {'seconds':>8} {'min/actual':>11} {'429s':>5} {'posted':>7}")
    for label, paced in (
        ("baseline: even pacing at the limit", True),
        ("serendip: send until 429, Retry-After", False),
    ):
        seconds, throttled, posted = run(args.window, paced)
        print(f"{label:38} {seconds:8.1f} {minimum / seconds:11.2f} {throttled:5d} {posted:7d}")


if __name__ == "__main__":
    main()
