"""The HTTP server: Slack requests on /slack/events, /healthz and /metrics (OAuth mode: also\n/slack/install and /slack/oauth_redirect); or Socket Mode."""

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

from serendip.adapters.db.replay_store import accept_once as store_accept_once
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.app import build_app
from serendip.adapters.slack.payload_shape import malformed_field
from serendip.bootstrap import Container
from serendip.entrypoints.request_guard import BODY_READ_TIMEOUT_SECONDS, read_verified_body, refuse_replay
from serendip.observability import metrics
from serendip.observability.health import Heartbeat, check_health

log = logging.getLogger(__name__)


def build_asgi(
    container: Container,
    bolt: App,
    *,
    signing_secret: str,
    body_timeout: float = BODY_READ_TIMEOUT_SECONDS,
    heartbeat: Heartbeat | None = None,
) -> Starlette:
    """The ASGI app; Bolt's sync dispatch runs in a thread so the event loop keeps accepting.

    The body is streamed up to its limit and its Slack signature checked before anything parses
    it, so unsigned junk costs at most one small buffer and never reaches Bolt or a log.
    """

    def accept_once(signature_hash: str) -> bool:
        return store_accept_once(container.db, signature_hash, utcnow())

    async def slack_events(request: Request) -> Response:
        verified = await read_verified_body(request, signing_secret, timeout=body_timeout)
        if isinstance(verified, Response):
            return verified
        replay = await refuse_replay(verified, request.headers["x-slack-signature"], accept_once)
        if replay is not None:
            return replay
        try:
            bolt_request = BoltRequest(body=verified, query=request.url.query, headers=dict(request.headers))
        except Exception:  # signed, yet not a payload Slack sends: Bolt fails in many ways on those
            log.warning("http.malformed_signed_body bytes=%d", len(verified))
            return JSONResponse({"error": "malformed body"}, status_code=400)
        field = malformed_field(bolt_request.body)
        if field is not None:  # Bolt's own context building fails on some shapes: drop them before it
            log.warning("http.malformed_payload field=%s", field)
            return Response(status_code=200)
        bolt_response = await run_in_threadpool(bolt.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    async def oauth_page(request: Request) -> Response:
        # "Add to Slack" and Slack's redirect back: browser GETs, no signature; Bolt checks the
        # state parameter against its Secure cookie and the state store.
        flow = bolt.oauth_flow
        assert flow is not None
        bolt_request = BoltRequest(body="", query=request.url.query, headers=dict(request.headers))
        handle = flow.handle_installation if request.url.path == flow.install_path else flow.handle_callback
        bolt_response = await run_in_threadpool(handle, bolt_request)
        return to_starlette_response(bolt_response)

    async def healthz(_: Request) -> Response:
        health = await run_in_threadpool(check_health, container.db.is_healthy, heartbeat)
        return JSONResponse(health.body, status_code=health.status)

    async def metrics_text(_: Request) -> Response:
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_text, methods=["GET"]),
    ]
    if bolt.oauth_flow is not None:  # OAuth mode only: token mode answers these paths 404
        routes.append(Route(bolt.oauth_flow.install_path, oauth_page, methods=["GET"]))
        routes.append(Route(bolt.oauth_flow.redirect_uri_path, oauth_page, methods=["GET"]))
    return Starlette(routes=routes)


def http_server(
    container: Container, host: str, port: int, *, heartbeat: Heartbeat | None = None
) -> uvicorn.Server:
    """A uvicorn server for the HTTP mode (signing secret required)."""
    settings = container.settings
    settings.require("SLACK_SIGNING_SECRET")
    assert settings.slack_signing_secret is not None
    secret = settings.slack_signing_secret.get_secret_value()
    bolt = build_app(container, signing_secret=secret)
    config = uvicorn.Config(
        build_asgi(container, bolt, signing_secret=secret, heartbeat=heartbeat),
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
