"""Delivery's use of Slack's Tier-3 budget when 20% of calls fail (5xx, ambiguous 5xx and 429s).

conversations.open is Tier 3 (50 calls per minute per workspace) and the bottleneck of a round.
The emulator enforces it as a sliding window; on top, a share of chat.postMessage and
conversations.history calls fail. The figure is the share of the budget used: intros delivered per
minute / 50, counted after the first window's allowed burst of 50 (so it reads 1.0 at the limit):
budget = (intros - 50) / 50 / (seconds / minute). Goal >= 0.9, with every intro posted exactly once
(recounted per group DM from what the emulator stores).

TIME IS SCALED: a Slack "minute" lasts --minute seconds (default 20, i.e. 3x faster), and both
strategies' backoffs and the injected 429s' Retry-After (--retry-after Slack seconds, default 1)
are scaled the same way, so a 429 costs what it costs against real Slack (the emulator sends the
scaled Retry-After as a fraction, e.g. "0.1"). --whole-retry-after sends whole real seconds
instead (1 s = 3 Slack seconds at the default scale), as the first version of this benchmark did.
Our own work per intro (queries, commits, HTTP to the emulator: ~15-20 ms) is NOT scaled: the
last window's 50 intros are processed after their slots free, so at --minute 6 that fixed ~1 s
reads as ~10 Slack seconds and the figure drops by ~0.05.

Strategies, measured in the same run on the same round:
- baseline: the pre-deferral loop (one intro at a time; each failure sleeps 1, 2, 4 ... s and each
  429 sleeps its Retry-After before anything else is tried), `deliver.deliver_intro` per intro;
- serendip: `deliver.deliver_pending` (failed intros deferred, a throttled post waits in its own
  conversation, other 429s pause only their method, calls paced by the workspace's shared budget).
Then the per-workspace table of `delivery_workspaces` (1, 2 and 4 workspaces in parallel).
Run: python benchmarks/delivery.py [--minute 20] [--intros 150] [--engines sqlite,postgresql]
     [--retry-after 1] [--whole-retry-after] [--workspaces 1,2,4] [--workspace-intros 100]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers

from benchmarks.delivery_workspaces import print_scaling
from tests.support.postgres import start_postgres
from tests.support.rounds import intro_posts, publisher_for, set_up_program

from serendip.adapters.db import delivery_queue as queue
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import close, deliver, plan
from serendip.services.ports import IntroPublisher
from serendip_sandbox import SlackEmulator, generate_workspace

LIMIT = 50
MIXES: dict[str, dict[str, float]] = {
    "20% 5xx": {"error_rate": 0.15, "ambiguous_rate": 0.05},
    "20% 5xx and 429": {"error_rate": 0.10, "ambiguous_rate": 0.05, "ratelimited_rate": 0.05},
}


def baseline(database: Database, publisher: IntroPublisher, policy: deliver.DeliveryPolicy) -> None:
    """The loop as it was before deferral: each intro to its end, sleeping through its failures."""
    while (claim := deliver.claim_round(database, policy)) is not None:
        round_id = claim.round_id
        with database.transaction() as session:
            open_ids = store.open_intro_ids(session, round_id)
            seed = queue.round_facts(session, round_id)[1]
        for intro_id in open_ids:
            deliver.deliver_intro(database, publisher, intro_id=intro_id, seed=seed, policy=policy)
        close.finish_round(database, publisher, round_id=round_id, owner=policy.owner)


@contextmanager
def engine_url(engine: str) -> Iterator[str]:
    """A fresh database URL on the engine."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    server = start_postgres()
    try:
        yield server.url(server.create_database())
    finally:
        server.stop()


def run(
    engine: str, intros: int, minute: float, mix: dict[str, float], strategy: str, retry_after: float = 1
) -> tuple[float, int, int, int]:
    """Deliver one round; returns seconds, 429s seen, intros posted and the most posts of one intro."""
    with engine_url(engine) as url, SlackEmulator(generate_workspace(intros * 2, 8, seed=3)) as slack:
        database = Database(url)
        upgrade(database)
        planned = plan.plan_round(
            database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=1
        )
        assert planned is not None and planned.intros == intros, planned
        slack.rate_limit("conversations.open", per_minute=LIMIT, window_seconds=minute)
        slack.rate_limit("conversations.history", per_minute=LIMIT, window_seconds=minute)
        for method, seed in (("chat.postMessage", 1), ("conversations.history", 2)):
            slack.inject(
                method,
                error_rate=mix["error_rate"],
                ambiguous_rate=mix["ambiguous_rate"],
                ratelimited_rate=mix.get("ratelimited_rate", 0.0),
                retry_after=retry_after,
                status=503,
                seed=seed,
            )
        slack.calls.clear()
        policy = deliver.DeliveryPolicy(backoff_base=minute / 60, budget_window=minute, max_attempts=30)
        chosen: Callable[..., object] = baseline if strategy == "baseline" else deliver.deliver_pending
        started = time.perf_counter()
        chosen(database, publisher_for(slack), policy)
        seconds = time.perf_counter() - started
        posts = intro_posts(slack)
        throttled = sum(1 for c in slack.calls.all() if c.status == 429)
        database.dispose()
        return seconds, throttled, len(posts), max(posts.values(), default=0)


def main() -> None:
    """Print both strategies for each fault mix and engine."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minute", type=float, default=20.0, help="seconds standing in for Slack's minute")
    parser.add_argument("--intros", type=int, default=150)
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument(
        "--retry-after", type=float, default=1.0, help="Slack seconds an injected 429 asks for"
    )
    parser.add_argument(
        "--workspaces", default="1,2,4", help="workspace counts for the parallel delivery table ('' to skip)"
    )
    parser.add_argument("--workspace-intros", type=int, default=100, help="intros per workspace there")
    parser.add_argument(
        "--whole-retry-after",
        action="store_true",
        help="send it in whole real seconds (unscaled, 1 at least)",
    )
    args = parser.parse_args()
    scaled = args.retry_after * args.minute / 60
    retry_after = float(max(1, round(args.retry_after))) if args.whole_retry_after else scaled
    logging.disable(logging.WARNING)  # deferrals are logged per intro; the table is the output
    print(
        f"{args.intros} intros; conversations.open and conversations.history limited to {LIMIT} per "
        f"'minute'; TIME SCALED: 1 Slack minute = {args.minute:g} s ({60 / args.minute:g}x faster); "
        f"injected 429s: Retry-After {retry_after:g} s (= {retry_after * 60 / args.minute:g} Slack s)"
    )
    print(
        f"{'engine':10} {'faults (posts, history)':24} {'strategy':9} {'seconds':>8} {'budget':>7} {'429s':>5} {'posted':>7} {'max/intro':>9}"
    )
    for engine in args.engines.split(","):
        for label, mix in MIXES.items():
            for strategy in ("baseline", "serendip"):
                seconds, throttled, posted, most = run(
                    engine, args.intros, args.minute, mix, strategy, retry_after
                )
                assert posted == args.intros and most == 1, "not exactly once"
                budget = (args.intros - LIMIT) / LIMIT / (seconds / args.minute)
                print(
                    f"{engine:10} {label:24} {strategy:9} {seconds:8.1f} {budget:7.2f} {throttled:5d} "
                    f"{posted:7d} {most:9d}",
                    flush=True,
                )
    if args.workspaces:
        counts = [int(n) for n in args.workspaces.split(",")]
        with tempfile.TemporaryDirectory() as tmp:
            urls = (f"sqlite:///{Path(tmp) / f'workspaces-{n}.db'}" for n in range(len(counts) + 1))
            print_scaling(lambda: next(urls), args.workspace_intros, args.minute, counts)


if __name__ == "__main__":
    main()
