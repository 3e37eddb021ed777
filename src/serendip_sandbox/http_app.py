"""The emulator's HTTP surface: /api/<method>, upload URLs, response_urls and the Socket Mode link."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from serendip_sandbox.context import CallContext
from serendip_sandbox.errors import SlackError
from serendip_sandbox.faults import CallLog, CallRecord, Faults, Verdict
from serendip_sandbox.methods_files import receive_upload
from serendip_sandbox.params import Params
from serendip_sandbox.registry import METHODS
from serendip_sandbox.responses import receive_response
from serendip_sandbox.socket_mode import SocketHub
from serendip_sandbox.workspace import Workspace

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
    """Authenticates, applies faults, runs the method under the workspace lock and logs the call."""

    def __init__(
        self, workspace: Workspace, *, calls: CallLog, faults: Faults, hub: SocketHub, scopes: frozenset[str]
    ) -> None:
        self.workspace = workspace
        self.calls = calls
        self.faults = faults
        self.hub = hub
        self.scopes = scopes
        self.base_url = ""

    def call(self, method: str, params: Params, token: str | None) -> Answer:
        """Answer one call exactly as Slack would, recording it in the call log."""
        answer, fault = self._answer(method, params, token)
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
            )
        )
        log.debug(
            "sandbox_call method=%s status=%s error=%s fault=%s",
            method,
            answer.status,
            body.get("error"),
            fault,
        )
        return answer

    def _answer(self, method: str, params: Params, token: str | None) -> tuple[Answer, str | None]:
        entry = METHODS.get(method)
        if entry is None:
            return self._ok_false(SlackError("unknown_method", req_method=method)), None
        handler, token_kind = entry
        auth_error = self._check_token(token, token_kind)
        if auth_error is not None:
            return self._ok_false(auth_error), None
        verdict = self.faults.judge(method, params.values)
        if verdict is not None and verdict.kind != "ambiguous":
            return self._fault_answer(verdict), verdict.kind
        ctx = CallContext(
            self.workspace,
            params,
            self.base_url,
            self.scopes,
            lambda: self.hub.issue_url(self.base_url.replace("http://", "ws://", 1)),
        )
        try:
            with self.workspace.lock:
                body = handler(ctx)
        except SlackError as error:
            return self._ok_false(error), None
        except Exception:
            log.exception("sandbox_call method=%s event=handler_crashed", method)
            return Answer(500, {"ok": False, "error": "internal_error"}, {}), "crash"
        if verdict is not None:
            return self._fault_answer(verdict), verdict.kind
        return Answer(200, body, self._headers()), None

    def _check_token(self, token: str | None, kind: str) -> SlackError | None:
        if not token:
            return SlackError("not_authed")
        ws = self.workspace
        if token not in (ws.bot_token, ws.app_token):
            return SlackError("invalid_auth")
        if (token == ws.app_token) != (kind == "app"):
            return SlackError("not_allowed_token_type")
        return None

    def _fault_answer(self, verdict: Verdict) -> Answer:
        if verdict.kind == "ratelimited":
            return Answer(
                429, {"ok": False, "error": "ratelimited"}, {"Retry-After": verdict.retry_after_header()}
            )
        return Answer(
            verdict.status, {"ok": False, "error": _SERVER_ERRORS.get(verdict.status, "fatal_error")}, {}
        )

    def _ok_false(self, error: SlackError) -> Answer:
        return Answer(200, error.body(), self._headers())

    def _headers(self) -> dict[str, str]:
        return {
            "x-oauth-scopes": ",".join(sorted(self.scopes)),
            "x-slack-req-id": self.workspace.ids.secret(32),
        }


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
    form_token = values.get("token")
    return Params(values), token or (str(form_token) if form_token else None)


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
        stored = receive_upload(core.workspace, request.path_params["key"], data)
        if stored is None:
            return PlainTextResponse("not_found", status_code=404)
        return PlainTextResponse(f"OK - {len(data)}")

    async def respond(request: Request) -> Response:
        status, text = receive_response(core.workspace, request.path_params["rid"], await request.body())
        return PlainTextResponse(text, status_code=status)

    return Starlette(
        routes=[
            Route("/api/{method}", api, methods=["GET", "POST"]),
            Route("/upload/v1/{key}", upload, methods=["POST"]),
            Route("/response/{rid}", respond, methods=["POST"]),
            WebSocketRoute("/link/", core.hub.serve),
        ]
    )
