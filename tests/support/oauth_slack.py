"""A small Slack over real HTTP for OAuth tests: the authorize page, oauth.v2.access (the code grant
and the refresh grant, each refresh token working once, as Slack's does), auth.test, and users.info /
views.publish / chat.postMessage answered ok and recorded with the token that called them."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from serendip_sandbox.serving import BackgroundServer

SCOPES = "commands,chat:write"


@dataclass(frozen=True)
class Grant:
    """Who installs: a workspace, or a whole Grid org (``org_wide``)."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    installer: str = "UINSTALLER"

    @property
    def scope_id(self) -> str:
        """The enterprise id of an org-wide install, else the team id."""
        return (self.enterprise_id if self.org_wide else self.team_id) or ""


@dataclass(frozen=True)
class Call:
    """A Web API call this Slack answered: its method, the token it came with and the user it was about."""

    method: str
    token: str
    user: str


class OAuthSlack:
    """Slack's OAuth side for one app (client id and secret); tokens expire after ``expires_in``."""

    def __init__(self, *, client_id: str, client_secret: str, expires_in: int = 43_200) -> None:
        self.client_id, self.client_secret, self.expires_in = client_id, client_secret, expires_in
        self.refresh_delay = 0.0  # seconds a refresh takes (to make racing refreshes overlap)
        self.refresh_calls = 0
        self.refused_refreshes = 0
        self.calls: list[Call] = []  # every recorded Web API call
        self.grant_to_authorize = Grant("T0000001")
        self.redirect_url = ""
        self._tokens: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, Grant] = {}
        self._codes: dict[str, Grant] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = BackgroundServer(
            Starlette(
                routes=[
                    Route("/oauth/v2/authorize", self._authorize, methods=["GET"]),
                    Route("/api/oauth.v2.access", self._access, methods=["POST"]),
                    Route("/api/auth.test", self._auth_test, methods=["POST"]),
                    Route("/api/{method}", self._recorded, methods=["POST"]),
                ]
            ),
            name="oauth-slack",
        )

    @property
    def api_url(self) -> str:
        """SLACK_API_URL of this Slack."""
        return f"{self._server.url}/api/"

    def tokens_of(self, grant: Grant) -> dict[str, Any]:
        """Install ``grant`` without the browser: the oauth.v2.access answer to a fresh code."""
        with self._lock:
            return self._issue(grant)

    def grant_of(self, token: str) -> Grant | None:
        """Who a token was issued to."""
        return self._tokens.get(token)

    def _issue(self, grant: Grant) -> dict[str, Any]:
        n = next(self._ids)
        access, refresh = f"xoxe.xoxb-{n}", f"xoxe-1-{n}"
        self._tokens[access] = self._refresh_tokens[refresh] = grant
        return {
            "ok": True,
            "app_id": "A0APP",
            "authed_user": {"id": grant.installer},
            "scope": SCOPES,
            "token_type": "bot",
            "access_token": access,
            "bot_user_id": "UBOT" + (grant.scope_id or "X"),
            "refresh_token": refresh,
            "expires_in": self.expires_in,
            "team": {"id": grant.team_id, "name": f"Team {grant.team_id}"} if grant.team_id else None,
            "enterprise": {"id": grant.enterprise_id, "name": f"Org {grant.enterprise_id}"}
            if grant.enterprise_id
            else None,
            "is_enterprise_install": grant.org_wide,
        }

    async def _authorize(self, request: Request) -> Response:
        query = request.query_params
        if query.get("client_id") != self.client_id:
            return JSONResponse({"error": "invalid_client_id"}, status_code=400)
        code = f"code-{next(self._ids)}"
        self._codes[code] = self.grant_to_authorize
        target = self.redirect_url + "?" + urlencode({"code": code, "state": query.get("state", "")})
        return RedirectResponse(target, status_code=302)

    async def _access(self, request: Request) -> Response:
        form = await _form(request)
        if not self._client_authenticated(request):
            return JSONResponse({"ok": False, "error": "invalid_client_id"})
        if form.get("grant_type") == "refresh_token":
            with self._lock:
                self.refresh_calls += 1
                grant = self._refresh_tokens.pop(str(form.get("refresh_token")), None)
                if grant is None:
                    self.refused_refreshes += 1
                    return JSONResponse({"ok": False, "error": "invalid_refresh_token"})
                answer = self._issue(grant)
            time.sleep(self.refresh_delay)  # this server's loop is its own: blocking it is fine here
            return JSONResponse(answer)
        grant = self._codes.pop(str(form.get("code")), None)
        if grant is None:
            return JSONResponse({"ok": False, "error": "invalid_code"})
        with self._lock:
            return JSONResponse(self._issue(grant))

    async def _auth_test(self, request: Request) -> Response:
        grant = self._tokens.get(_bearer(request))
        if grant is None:
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        return JSONResponse(
            {
                "ok": True,
                "url": "https://example.slack.com/",
                "team_id": grant.team_id,
                "enterprise_id": grant.enterprise_id,
                "user_id": "UBOT" + grant.scope_id,
                "bot_id": "B" + grant.scope_id,
                "is_enterprise_install": grant.org_wide,
            }
        )

    async def _recorded(self, request: Request) -> Response:
        method, token = request.path_params["method"], _bearer(request)
        if token not in self._tokens:
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        form = await _form(request)
        user = form.get("user") or form.get("user_id") or ""
        self.calls.append(Call(method, token, user))
        if method == "users.info":
            grant = self._tokens[token]
            return JSONResponse({"ok": True, "user": {"id": user, "team_id": grant.team_id, "name": user}})
        return JSONResponse({"ok": True, "channel": "D1", "ts": "1.000001"})

    def _client_authenticated(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def __enter__(self) -> OAuthSlack:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header.removeprefix("Bearer ").strip()


async def _form(request: Request) -> dict[str, str]:
    """The parameters: slack_sdk posts most form-encoded, some (views.publish) as JSON."""
    body = (await request.body()).decode()
    if request.headers.get("content-type", "").startswith("application/json"):
        return {k: v for k, v in json.loads(body).items() if isinstance(v, str)}
    return dict(parse_qsl(body))
