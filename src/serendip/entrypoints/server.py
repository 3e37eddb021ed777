"""The HTTP server: Slack requests on /slack/events, health on /healthz; or Socket Mode."""

from __future__ import annotations

import logging

import uvicorn
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from serendip.adapters.slack.app import build_app
from serendip.bootstrap import Container

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000


def build_asgi(container: Container, bolt: App) -> Starlette:
    """The ASGI app; Bolt's sync dispatch runs in a thread so the event loop keeps accepting."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "request too large"}, status_code=413)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return JSONResponse({"error": "body is not UTF-8"}, status_code=400)
        bolt_request = BoltRequest(body=text, query=request.url.query, headers=dict(request.headers))
        bolt_response = await run_in_threadpool(bolt.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    async def healthz(_: Request) -> Response:
        healthy = await run_in_threadpool(container.db.is_healthy)
        if healthy:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, status_code=503)

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def http_server(container: Container, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the HTTP mode (signing secret required)."""
    settings = container.settings
    settings.require("SLACK_SIGNING_SECRET")
    assert settings.slack_signing_secret is not None
    bolt = build_app(container, signing_secret=settings.slack_signing_secret.get_secret_value())
    config = uvicorn.Config(
        build_asgi(container, bolt),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    return uvicorn.Server(config)


def socket_mode_handler(container: Container) -> SocketModeHandler:
    """A Socket Mode handler (SLACK_APP_TOKEN required); no HTTP is received in this mode."""
    settings = container.settings
    settings.require("SLACK_APP_TOKEN")
    assert settings.slack_app_token is not None
    bolt = build_app(container, signing_secret=None)
    return SocketModeHandler(
        bolt, app_token=settings.slack_app_token.get_secret_value(), web_client=container.client
    )
