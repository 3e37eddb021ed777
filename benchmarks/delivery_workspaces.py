"""Delivery across workspaces: Slack's Tier-3 budget is per workspace, so N workspaces' rounds,
delivered in parallel, reach N times as many people per minute as one.

Each workspace is its own emulator (its own token and its own 50-a-minute conversations.open
limit, enforced as a sliding window like Slack's). Every workspace has one planned round of
--intros intros. Measured in the same run:
- serendip: `deliver.deliver_all` (rounds of different workspaces in parallel, each with its own
  installation's publisher), for 1, 2 and 4 workspaces;
- baseline: `deliver.deliver_pending` (one round after another), for the largest count.
The figure is intros per Slack minute over all workspaces, and its ratio to one workspace's.
TIME IS SCALED as in benchmarks/delivery.py (--minute seconds stand for Slack's minute).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack

from tests.support.rounds import intro_posts, publisher_for, set_up_program

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import deliver, plan
from serendip.services.ports import IntroPublisher
from serendip_sandbox import SlackEmulator, generate_workspace

LIMIT = 50


def deliver_workspaces(url: str, workspaces: int, intros: int, minute: float, strategy: str) -> float:
    """Deliver one round in each of `workspaces` workspaces; returns the seconds it took."""
    with ExitStack() as stack:
        slacks = [
            stack.enter_context(SlackEmulator(generate_workspace(intros * 2, 8, seed=40 + n)))
            for n in range(workspaces)
        ]
        database = Database(url)
        upgrade(database)
        for slack in slacks:
            program_id = set_up_program(database, slack)
            planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow(), seed=1)
            assert planned is not None and planned.intros == intros, planned
            slack.rate_limit("conversations.open", per_minute=LIMIT, window_seconds=minute)
            slack.rate_limit("conversations.history", per_minute=LIMIT, window_seconds=minute)
        publishers = {slack.workspace.team.id: publisher_for(slack) for slack in slacks}
        policy = deliver.DeliveryPolicy(backoff_base=minute / 60, budget_window=minute, max_attempts=30)
        started = time.perf_counter()
        if strategy == "baseline":
            one_by_one: Callable[[str], IntroPublisher] = publishers.__getitem__
            while (claim := deliver.claim_round(database, policy)) is not None:
                deliver.deliver_round(
                    database, one_by_one(claim.workspace_id), round_id=claim.round_id, policy=policy
                )
        else:
            deliver.deliver_all(database, publishers.__getitem__, policy)
        seconds = time.perf_counter() - started
        for slack in slacks:  # exactly once, recounted from what each workspace's Slack stores
            posts = intro_posts(slack)
            assert len(posts) == intros and set(posts.values()) == {1}, "not exactly once"
        database.dispose()
        return seconds


def print_scaling(url_for: Callable[[], str], intros: int, minute: float, counts: list[int]) -> None:
    """Print intros per Slack minute for each workspace count, and the one-after-another baseline."""
    print(f"\n{intros} intros per workspace; {LIMIT} conversations.open per workspace per 'minute'")
    print(f"{'workspaces':>10} {'strategy':9} {'seconds':>8} {'intros/min':>10} {'x one':>6}")
    one: float | None = None
    runs = [(n, "serendip") for n in counts] + [(max(counts), "baseline")]
    for workspaces, strategy in runs:
        seconds = deliver_workspaces(url_for(), workspaces, intros, minute, strategy)
        per_minute = workspaces * intros / (seconds / minute)
        one = per_minute if one is None else one
        print(
            f"{workspaces:10d} {strategy:9} {seconds:8.1f} {per_minute:10.1f} {per_minute / one:6.2f}",
            flush=True,
        )
