"""Fixtures for the Slack emulator tests: a workspace, a running emulator, a WebClient, a Bolt app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from serendip_sandbox import BackgroundServer, SlackDriver, SlackEmulator, Workspace, generate_workspace


@pytest.fixture
def workspace() -> Workspace:
    """A fresh 40-person workspace (seeded, so ids and names are stable within a run)."""
    return generate_workspace(people=40, departments=6, seed=7)


@pytest.fixture
def emulator(workspace: Workspace) -> Iterator[SlackEmulator]:
    """The emulator serving ``workspace`` on an ephemeral port."""
    with SlackEmulator(workspace) as running:
        yield running


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    """slack_sdk's real WebClient pointed at the emulator with the bot token."""
    return WebClient(token=emulator.bot_token, base_url=emulator.api_url)


def serve_bolt(app: App) -> BackgroundServer:
    """Serve a sync Bolt app at ``/slack/events`` the way `serendip serve` does (dispatch in a thread)."""

    async def events(request: Request) -> Response:
        body = (await request.body()).decode()
        bolt_request = BoltRequest(body=body, query=request.url.query, headers=dict(request.headers))
        bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        return Response(
            bolt_response.body,
            status_code=bolt_response.status,
            headers={k: v[0] for k, v in bolt_response.headers.items()},
        )

    return BackgroundServer(
        Starlette(routes=[Route("/slack/events", events, methods=["POST"])]), name="bolt-under-test"
    ).start()


@pytest.fixture
def bolt_app(emulator: SlackEmulator, client: WebClient) -> App:
    """A tiny Bolt app talking to the emulator (its listeners are added by each test)."""
    return App(signing_secret=emulator.signing_secret, token=emulator.bot_token, client=client)


@pytest.fixture
def driver(emulator: SlackEmulator, bolt_app: App) -> Iterator[SlackDriver]:
    """A driver sending signed HTTP requests to ``bolt_app`` served on a local port."""
    server = serve_bolt(bolt_app)
    with SlackDriver(f"{server.url}/slack/events", emulator.signing_secret, emulator) as running:
        yield running
    server.stop()
