"""A real Serendip HTTP server (uvicorn + Bolt) for the attack tests, with a short body timeout."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.slack.app import build_app
from serendip.bootstrap import build_container
from serendip.config import Settings
from serendip.entrypoints.server import build_asgi
from serendip_sandbox import BackgroundServer, SlackEmulator, generate_workspace
from tests.e2e.conftest import Sandbox, running_sandbox
from tests.support.rounds import intro_posts

SECRET = "attack-suite-signing-secret"
BODY_TIMEOUT = 0.5


def sign(body: bytes, *, secret: str = SECRET, timestamp: str | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers, computed here from Slack's documentation."""
    stamp = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    """The Slack Web API emulator with a small generated workspace."""
    with SlackEmulator(generate_workspace(6, 2, seed=3)) as emulator:
        yield emulator


@pytest.fixture
def server(tmp_path: Path, slack: SlackEmulator) -> Iterator[BackgroundServer]:
    """The bot's ASGI app on a free local port, talking to the emulator."""
    database_url = f"sqlite:///{tmp_path / 'attack.db'}"
    settings = Settings(
        SLACK_BOT_TOKEN=SecretStr(slack.bot_token),
        SLACK_SIGNING_SECRET=SecretStr(SECRET),
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )
    container = build_container(settings, db=Database(database_url))
    upgrade(container.db)
    app = build_asgi(
        container,
        build_app(container, signing_secret=SECRET),
        signing_secret=SECRET,
        body_timeout=BODY_TIMEOUT,
    )
    running = BackgroundServer(app).start()
    try:
        yield running
    finally:
        running.stop()
        container.db.engine.dispose()


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The bot serving an 8-person program with one delivered round (four intros), on SQLite."""
    database = tmp_path_factory.mktemp("program") / "program.db"
    with running_sandbox(f"sqlite:///{database}", people=8, departments=2, seed=5) as sb:
        sb.driver.slash_command(sb.humans[0], "admin setup", channel_id=sb.channel).wait_for_responses(1, 30)
        sb.driver.slash_command(sb.humans[0], "admin run", channel_id=sb.channel).wait_for_responses(1, 30)
        sb.slack.wait_until(lambda _: len(intro_posts(sb.slack)) == 4, 30)
        yield sb


LoggedErrors = Callable[[], list[str]]


def _from_a_stopped_sandbox(record: logging.LogRecord) -> bool:
    """slack_sdk's own ERROR line for a connection to Slack refused or reset: a network event, not
    something a payload's values can cause, and the bot logs each such failed call itself (a
    WARNING naming what failed).

    Refused: tests share a process (and caplog sees every logger), so a background thread of an
    earlier test's bot, whose emulator has stopped, can log while this test runs. Reset: seen once
    from a live emulator under CI load (a welcome DM's call; the bot logged `welcome.failed`).
    """
    message = record.getMessage()
    return record.name.startswith("slack_sdk") and (
        "Connection refused" in message or "Connection reset by peer" in message
    )


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The ERROR records and tracebacks logged so far in the test, but for a stopped sandbox's."""
    return [
        r
        for r in caplog.records
        if (r.levelno >= logging.ERROR or r.exc_info) and not _from_a_stopped_sandbox(r)
    ]


@pytest.fixture
def logged_errors(caplog: pytest.LogCaptureFixture) -> Iterator[LoggedErrors]:
    """Reads the ERROR records and tracebacks logged so far in the test, uvicorn's own included."""
    caplog.set_level(logging.INFO)
    uvicorn = logging.getLogger("uvicorn")  # logs "Exception in ASGI application" without propagating
    uvicorn.addHandler(caplog.handler)

    def read() -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in error_records(caplog)]

    try:
        yield read
    finally:
        uvicorn.removeHandler(caplog.handler)
