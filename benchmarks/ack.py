"""Ack latency under load: 50 concurrent signed /coffee commands against the running bot.

Prints p50/p99 ack latency for Serendip's server (Bolt's sync dispatch moved off the event loop)
and, as the baseline measured in the same run, for Bolt's stock Starlette adapter, which runs the
same dispatch on the event loop. Goal: p99 <= 300 ms.

Then, with a `--plan-people` org (default 100,000, 12 rounds of history) in the same database, a
real `serendip serve` process (benchmarks/ack_serve.py): the same load with no round due (the
baseline), then while the server's own scheduler plans that org's round (in its worker process).
Goal: p99 <= 300 ms while planning. Run: python benchmarks/ack.py [--plan-people N] [--rate R]
[--engine sqlite|postgresql] (PostgreSQL: a throwaway server, as the test suite starts one).

The default load is bursts of 50 commands sent at the same instant (a stress figure: on 2 cores
they queue for the CPU whatever the server does). `--rate R` sends R commands a second on a fixed
clock instead (open loop: each latency counts from the moment the command was due, so a slow
server is not excused by the client waiting for it), which is how a busy workspace's commands
arrive.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from slack_bolt.adapter.starlette import SlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from serendip.adapters.slack.app import build_app
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip_sandbox import BackgroundServer, SlackDriver, SlackEmulator, generate_workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repo root

from benchmarks.ack_serve import serve_rows
from benchmarks.pipeline_old_code import pipeline_program_id
from benchmarks.pipeline_org import build_org

CONCURRENCY = 50
WAVES = 4
PACED_SECONDS = 2.0  # one paced wave: rate * 2 s commands


def _stock_adapter_server(bot: LocalBot, secret: str) -> BackgroundServer:
    bolt = build_app(bot.container, signing_secret=secret)
    handler = SlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return BackgroundServer(Starlette(routes=[Route("/slack/events", events, methods=["POST"])])).start()


def _fire(driver: SlackDriver, users: list[str], channel: str, texts: list[str]) -> list[float]:
    def one(i: int) -> float:
        started = time.perf_counter()
        result = driver.slash_command(users[i % len(users)], texts[i % len(texts)], channel_id=channel)
        elapsed = time.perf_counter() - started
        assert result.status == 200, result.status
        return elapsed

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, range(CONCURRENCY)))


def _paced(driver: SlackDriver, users: list[str], channel: str, texts: list[str], rate: float) -> list[float]:
    """`rate` commands a second for PACED_SECONDS, each timed from the moment it was due."""
    count = max(1, int(rate * PACED_SECONDS))
    start = time.perf_counter() + 0.05

    def one(i: int) -> float:
        due = start + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        result = driver.slash_command(users[i % len(users)], texts[i % len(texts)], channel_id=channel)
        assert result.status == 200, result.status
        return time.perf_counter() - due

    with ThreadPoolExecutor(min(count, CONCURRENCY)) as pool:
        return list(pool.map(one, range(count)))


@contextmanager
def _database(engine: str, folder: str) -> Iterator[str]:
    """The bot's database URL: a file in ``folder``, or a throwaway PostgreSQL server's database."""
    if engine == "sqlite":
        yield f"sqlite:///{Path(folder) / 'ack.db'}"
        return
    from tests.support.postgres import start_postgres

    server = start_postgres()
    try:
        yield server.url(server.create_database())
    finally:
        server.stop()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000


def main() -> None:
    """Measure both servers with the same workspace, database and commands; then while planning."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plan-people", type=int, default=100_000, help="org planned meanwhile; 0: skip")
    parser.add_argument("--rate", type=float, default=0.0, help="commands a second, paced (default: bursts)")
    parser.add_argument(
        "--engine", choices=["sqlite", "postgresql"], default="sqlite", help="the bot's database"
    )
    args = parser.parse_args()

    def load(driver: SlackDriver, users: list[str], channel: str, texts: list[str]) -> list[float]:
        if args.rate > 0:
            return _paced(driver, users, channel, texts, args.rate)
        return _fire(driver, users, channel, texts)

    workspace = generate_workspace(CONCURRENCY, 6, seed=1)
    texts = ["", "expertise add python, go", "interests add design", "pause 1w", "resume", "history"]
    with (
        tempfile.TemporaryDirectory() as tmp,
        SlackEmulator(workspace) as slack,
        _database(args.engine, tmp) as url,
    ):
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=url,
        )
        if args.plan_people:
            build_org(settings.database_url, people=args.plan_people, rounds=12)
        channel = workspace.channel_named("coffee-chats").id
        users = [u.id for u in workspace.humans() if not u.deleted and not u.is_restricted]
        with LocalBot(settings) as bot:
            stock = _stock_adapter_server(bot, slack.signing_secret)
            rows = []
            for label, url in (
                ("stock adapter (dispatch on loop)", f"{stock.url}/slack/events"),
                ("serendip (dispatch in threads)", bot.events_url),
            ):
                with SlackDriver(url, slack.signing_secret, slack) as driver:
                    driver.slash_command(users[0], "admin setup", channel_id=channel).wait_for_responses(
                        1, 60
                    )
                    samples = [s for _ in range(WAVES) for s in load(driver, users, channel, texts)]
                rows.append((label, *_percentiles(samples), len(samples)))
            stock.stop()
        planning = []
        if args.plan_people:

            def setup(driver: SlackDriver) -> None:
                driver.slash_command(users[0], "help", channel_id=channel)

            fire = lambda driver: load(driver, users, channel, texts)  # noqa: E731
            program_id = pipeline_program_id(settings.database_url)
            planning = serve_rows(slack, settings.database_url, program_id, Path(tmp), fire, setup)
    shape = f"paced at {args.rate:g} commands/s" if args.rate > 0 else f"bursts of {CONCURRENCY} at once"
    print(f"load: {shape}; database: {args.engine}")
    print(f"{'server':36} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9}")
    for label, p50, p99, n in rows:
        print(f"{label:36} {p50:8.1f} {p99:8.1f} {n:9d}")
    base, ours = rows[0], rows[1]
    print(
        f"p99 ratio serendip/stock: {ours[2] / base[2]:.2f}; goal p99 <= 300 ms: "
        f"{'met' if ours[2] <= 300 else 'NOT met'}"
    )
    if planning:
        print(
            f"\na real `serendip serve` process; a round of {args.plan_people} people planned by its scheduler:"
        )
        print(f"{'server':36} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'plan s':>7}")
        for label, samples, seconds in planning:
            p50, p99 = _percentiles(samples)
            print(f"{label:36} {p50:8.1f} {p99:8.1f} {len(samples):9d} {seconds:7.1f}")
        idle, busy = (_percentiles(samples)[1] for _, samples, _ in planning)
        print(
            f"p99 ratio planning/idle: {busy / idle:.2f}; goal p99 <= 300 ms while planning: "
            f"{'met' if busy <= 300 else 'NOT met'} (plan s: start-up to planned round)"
        )


if __name__ == "__main__":
    main()
