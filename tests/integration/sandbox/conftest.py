"""Fixtures for the Slack emulator tests: a workspace, a running emulator, a WebClient, a Bolt app,
and the hosted extras: a second workspace, a Grid org, and a Bolt app serving all of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from serendip_sandbox import (
    BackgroundServer,
    SlackDriver,
    SlackEmulator,
    Workspace,
    generate_grid_org,
    generate_workspace,
)


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


@pytest.fixture
def other_workspace(emulator: SlackEmulator) -> Workspace:
    """A second workspace of the same app, hosted by the same emulator with its own bot token."""
    return emulator.add_workspace(generate_workspace(people=12, departments=3, seed=8))


@pytest.fixture
def grid_org(emulator: SlackEmulator) -> Workspace:
    """An Enterprise Grid org of two workspaces, installed org-wide in the same emulator."""
    return emulator.add_workspace(generate_grid_org(people_per_team=8, seed=9))


@pytest.fixture
def hosted_app(emulator: SlackEmulator) -> App:
    """A Bolt app answering every hosted install with that install's ready-made token."""

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        served = emulator.workspace_of(enterprise_id or team_id or "")
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=served.bot_token,
            bot_user_id=served.bot.id,
            bot_id=served.bot.bot_id,
        )

    client = WebClient(base_url=emulator.api_url)
    return App(signing_secret=emulator.signing_secret, authorize=authorize, client=client)


@pytest.fixture
def hosted_driver(emulator: SlackEmulator, hosted_app: App) -> Iterator[SlackDriver]:
    """A driver (for the primary workspace; ``for_team`` for the others) talking to ``hosted_app``."""
    server = serve_bolt(hosted_app)
    with SlackDriver(f"{server.url}/slack/events", emulator.signing_secret, emulator) as running:
        yield running
    server.stop()
