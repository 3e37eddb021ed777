"""The emulator's HTTP surface: /api/<method>, OAuth, upload URLs, response_urls and the Socket Mode link."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from serendip_sandbox.context import CallContext
from serendip_sandbox.errors import SlackError
from serendip_sandbox.faults import CallLog, CallRecord, Faults, Verdict
from serendip_sandbox.methods_files import receive_upload
from serendip_sandbox.oauth import OAuthApp
from serendip_sandbox.params import Params
from serendip_sandbox.registry import METHODS
from serendip_sandbox.responses import receive_response
from serendip_sandbox.socket_mode import SocketHub
from serendip_sandbox.tenancy import Tenants
from serendip_sandbox.tokens import Grant

log = logging.getLogger("serendip_sandbox")
_SERVER_ERRORS = {
    500: "internal_error",
    502: "request_timeout",
    503: "service_unavailable",
    504: "request_timeout",
}


@dataclass
class Answer:
    """An HTTP answer to one Web API call."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class ApiCore:
    """Routes each call by its token to the workspace that issued it, applies faults, runs the
    method under that workspace's lock and logs the call with the token's install."""

    def __init__(
        self, tenants: Tenants, *, oauth: OAuthApp, calls: CallLog, faults: Faults, hub: SocketHub
    ) -> None:
        self.tenants = tenants
        self.oauth = oauth
        self.calls = calls
        self.faults = faults
        self.hub = hub
        self.base_url = ""

    def call(self, method: str, params: Params, token: str | None) -> Answer:
        """Answer one call exactly as Slack would, recording it in the call log.

        The call acts and is logged under its workspace's lock, so whoever sees its effect in the
        workspace also finds it in the log.
        """
        known = self.tenants.tokens.get(token) if token else None
        with known.workspace.lock if known is not None else contextlib.nullcontext():
            answer, fault, caller = self._answer(method, params, token)
            body = answer.body
            self.calls.add(
                CallRecord(
                    method,
                    params.redacted(),
                    answer.status,
                    bool(body.get("ok")),
                    body.get("error"),
                    time.time(),
                    fault,
                    scope_id=caller.scope_id if caller else None,
                    token=token if caller else None,
                )
            )
        log.debug(
            "sandbox_call method=%s status=%s error=%s fault=%s scope=%s",
            method,
            answer.status,
            body.get("error"),
            fault,
            caller.scope_id if caller else None,
        )
        return answer

    def _answer(
        self, method: str, params: Params, token: str | None
    ) -> tuple[Answer, str | None, Grant | None]:
        if method == "oauth.v2.access":  # the one method called with client credentials, not a token
            answer, fault = self._run(method, params, None, lambda: self.oauth.access(params))
            return answer, fault, None
        entry = METHODS.get(method)
        if entry is None:
            return self._ok_false(SlackError("unknown_method", req_method=method)), None, None
        handler, token_kind = entry
        try:
            grant = self.tenants.tokens.authenticate(token)
        except SlackError as error:  # a revoked or expired token still names its install in the log
            known = self.tenants.tokens.get(token) if token else None
            return self._ok_false(error), None, known if known and known.kind != "refresh" else None
        if (grant.kind == "app") != (token_kind == "app"):
            return self._ok_false(SlackError("not_allowed_token_type"), grant), None, grant
        ctx = CallContext(
            grant.workspace,
            params,
            self.base_url,
            grant.scopes,
            lambda: self.hub.issue_url(self.base_url.replace("http://", "ws://", 1)),
            grant,
        )

        def run() -> dict[str, Any]:
            with ctx.workspace.lock:
                return handler(ctx)

        answer, fault = self._run(method, params, grant, run)
        return answer, fault, grant

    def _run(
        self, method: str, params: Params, grant: Grant | None, act: Callable[[], dict[str, Any]]
    ) -> tuple[Answer, str | None]:
        verdict = self.faults.judge(method, params.values, grant.scope_id if grant else None)
        if verdict is not None and verdict.kind != "ambiguous":
            return self._fault_answer(verdict), verdict.kind
        try:
            body = act()
        except SlackError as error:
            return self._ok_false(error, grant), None
        except Exception:
            log.exception("sandbox_call method=%s event=handler_crashed", method)
            return Answer(500, {"ok": False, "error": "internal_error"}, {}), "crash"
        if verdict is not None:
            return self._fault_answer(verdict), verdict.kind
        return Answer(200, body, self._headers(grant)), None

    def _fault_answer(self, verdict: Verdict) -> Answer:
        if verdict.kind == "ratelimited":
            return Answer(
                429, {"ok": False, "error": "ratelimited"}, {"Retry-After": verdict.retry_after_header()}
            )
        return Answer(
            verdict.status, {"ok": False, "error": _SERVER_ERRORS.get(verdict.status, "fatal_error")}, {}
        )

    def _ok_false(self, error: SlackError, grant: Grant | None = None) -> Answer:
        return Answer(200, error.body(), self._headers(grant))

    def _headers(self, grant: Grant | None) -> dict[str, str]:
        headers = {"x-slack-req-id": secrets.token_hex(16)}
        if grant is not None:
            headers["x-oauth-scopes"] = ",".join(sorted(grant.scopes))
        return headers


async def read_params(request: Request) -> tuple[Params, str | None]:
    """Merge query and body arguments (form or JSON) and return them with the presented token."""
    values: dict[str, Any] = dict(request.query_params)
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if raw and content_type == "application/json":
        try:
            decoded = json.loads(raw)
        except ValueError:
            raise SlackError("invalid_json") from None
        if not isinstance(decoded, dict):
            raise SlackError("json_not_object")
        values.update(decoded)
    elif raw and content_type in ("application/x-www-form-urlencoded", ""):
        values.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    elif raw:
        raise SlackError("invalid_form_data")
    authorization = request.headers.get("authorization", "")
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
    if authorization.lower().startswith("basic "):  # oauth.v2.access: client credentials, RFC 6749 style
        client_id, _, client_secret = _basic_credentials(authorization[6:].strip()).partition(":")
        values.setdefault("client_id", client_id)
        values.setdefault("client_secret", client_secret)
    form_token = values.get("token")
    return Params(values), token or (str(form_token) if form_token else None)


def _basic_credentials(encoded: str) -> str:
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def build_app(core: ApiCore) -> Starlette:
    """Return the Starlette application serving the emulator."""

    async def api(request: Request) -> Response:
        method = request.path_params["method"]
        try:
            params, token = await read_params(request)
        except SlackError as error:
            return JSONResponse(error.body())
        delay = core.faults.delay_of(method)
        if delay:  # asleep without holding the event loop: other calls are answered meanwhile
            await asyncio.sleep(delay)
        answer = core.call(method, params, token)
        return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)

    async def upload(request: Request) -> Response:
        data = await request.body()
        owner = core.tenants.owner_of_upload(request.path_params["key"])
        stored = receive_upload(owner, request.path_params["key"], data) if owner else None
        if stored is None:
            return PlainTextResponse("not_found", status_code=404)
        return PlainTextResponse(f"OK - {len(data)}")

    async def respond(request: Request) -> Response:
        owner = core.tenants.owner_of_response_url(request.path_params["rid"]) or core.tenants.primary
        status, text = receive_response(owner, request.path_params["rid"], await request.body())
        return PlainTextResponse(text, status_code=status)

    async def authorize(request: Request) -> Response:
        status, answer = core.oauth.authorize(request.query_params)
        if status == 302:
            return RedirectResponse(answer, status_code=302)
        return PlainTextResponse(answer, status_code=status)

    return Starlette(
        routes=[
            Route("/api/{method}", api, methods=["GET", "POST"]),
            Route("/upload/v1/{key}", upload, methods=["POST"]),
            Route("/response/{rid}", respond, methods=["POST"]),
            Route("/oauth/v2/authorize", authorize, methods=["GET"]),
            WebSocketRoute("/link/", core.hub.serve),
        ]
    )
