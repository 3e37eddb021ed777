"""GET /healthz tells a load balancer whether the database answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pydantic import SecretStr

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.app import build_app
from serendip.bootstrap import build_container
from serendip.config import Settings
from serendip.entrypoints.server import build_asgi
from serendip_sandbox import BackgroundServer


@contextmanager
def _client(database_url: str) -> Iterator[httpx.Client]:
    settings = Settings(
        SLACK_BOT_TOKEN=SecretStr("xoxb-test"),
        SLACK_API_URL="http://127.0.0.1:9/api/",
        DATABASE_URL=database_url,
    )
    container = build_container(settings, db=Database(database_url))
    server = BackgroundServer(
        build_asgi(container, build_app(container, signing_secret="secret"), signing_secret="secret")
    ).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            yield client
    finally:
        server.stop()


def test_healthz_is_ok_when_the_database_answers(tmp_path: Path) -> None:
    with _client(f"sqlite:///{tmp_path / 'ok.db'}") as client:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    with _client("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1") as client:
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_unsigned_posts_to_slack_events_get_401(tmp_path: Path) -> None:
    with _client(f"sqlite:///{tmp_path / 'ok.db'}") as client:
        response = client.post(
            "/slack/events",
            content="command=%2Fcoffee&text=help",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 401


def test_oversized_bodies_are_refused_with_413(tmp_path: Path) -> None:
    with _client(f"sqlite:///{tmp_path / 'ok.db'}") as client:
        response = client.post("/slack/events", content=b"x" * 1_100_000)
    assert response.status_code == 413
