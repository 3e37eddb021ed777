"""Ack latency under load: 50 concurrent signed /coffee commands against the running bot.

Prints p50/p99 ack latency for Serendip's server (Bolt's sync dispatch moved off the event loop)
and, as the baseline measured in the same run, for Bolt's stock Starlette adapter, which runs the
same dispatch on the event loop. Goal: p99 <= 300 ms. Run: python benchmarks/ack.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_bolt.adapter.starlette import SlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from serendip.adapters.slack.app import build_app
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip_sandbox import BackgroundServer, SlackDriver, SlackEmulator, generate_workspace

CONCURRENCY = 50
WAVES = 4


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


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000


def main() -> None:
    """Measure both servers with the same workspace, database and commands."""
    workspace = generate_workspace(CONCURRENCY, 6, seed=1)
    texts = ["", "expertise add python, go", "interests add design", "pause 1w", "resume", "history"]
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator(workspace) as slack:
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=f"sqlite:///{Path(tmp) / 'ack.db'}",
        )
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
                    samples = [s for _ in range(WAVES) for s in _fire(driver, users, channel, texts)]
                rows.append((label, *_percentiles(samples), len(samples)))
            stock.stop()
    print(f"{'server':36} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9}")
    for label, p50, p99, n in rows:
        print(f"{label:36} {p50:8.1f} {p99:8.1f} {n:9d}")
    base, ours = rows[0], rows[1]
    print(
        f"p99 ratio serendip/stock: {ours[2] / base[2]:.2f}; goal p99 <= 300 ms: "
        f"{'met' if ours[2] <= 300 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
