"""OAuth v2 for the emulator's app: the consent page, single-use codes, oauth.v2.access and rotation."""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from serendip_sandbox.errors import SlackError
from serendip_sandbox.models import JsonDict
from serendip_sandbox.params import Params
from serendip_sandbox.tenancy import Tenants
from serendip_sandbox.tokens import Grant, TokenKind, install_grant, new_token
from serendip_sandbox.workspace import Workspace

TOKEN_LIFETIME = 43200  # seconds: Slack's rotating access tokens last 12 hours
CODE_LIFETIME = 600  # seconds: an OAuth code must be exchanged within ten minutes


@dataclass
class Consent:
    """How the sandbox's admin answers the next authorize requests."""

    scope_id: str | None = None  # a team id, or a Grid org's enterprise (or team) id: org-wide
    user_id: str | None = None  # the approving admin; None: the workspace's first admin
    approve: bool = True


@dataclass
class _Code:
    workspace: Workspace
    user_id: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    redirect_uri: str
    issued_at: float
    used: bool = False


class OAuthApp:
    """The app as OAuth sees it: client credentials, the admin's consent, codes and installs."""

    def __init__(self, tenants: Tenants, *, token_rotation: bool = False) -> None:
        rng = random.Random(tenants.primary.app_id)
        self.tenants = tenants
        self.client_id = f"{rng.randrange(10**9, 10**10)}.{rng.randrange(10**12, 10**13)}"
        self.client_secret = f"{rng.getrandbits(128):032x}"
        self.token_rotation = token_rotation
        self.token_lifetime = TOKEN_LIFETIME
        self.code_lifetime = CODE_LIFETIME
        self.redirect_urls: list[str] = []  # the app's configured Redirect URLs; empty: any is accepted
        self.consent = Consent()
        self._codes: dict[str, _Code] = {}
        self._lock = threading.Lock()

    # -- the consent page -------------------------------------------------------------------

    def authorize(self, query: Mapping[str, str]) -> tuple[int, str]:
        """Answer ``GET /oauth/v2/authorize``: (302, Location) once the admin chose, or (400, error)."""
        if query.get("client_id") != self.client_id:
            return 400, "invalid_client_id"
        scopes, user_scopes = _scope_list(query.get("scope", "")), _scope_list(query.get("user_scope", ""))
        if not scopes and not user_scopes:
            return 400, "no_scopes"
        redirect_uri = query.get("redirect_uri") or (self.redirect_urls[0] if self.redirect_urls else "")
        if not redirect_uri or not self._allowed(redirect_uri):
            return 400, "bad_redirect_uri"
        state = query.get("state")
        if not self.consent.approve:
            return 302, _with_query(redirect_uri, error="access_denied", state=state)
        team = query.get("team", "")
        chosen = team if team and self.tenants.knows(team) else self.consent.scope_id
        workspace = self.tenants.workspace_of(chosen) if chosen else self.tenants.primary
        code = f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(32)}"
        with self._lock:
            self._codes[code] = _Code(
                workspace,
                self.consent.user_id or admin_of(workspace),
                scopes,
                user_scopes,
                redirect_uri,
                self.tenants.clock.now(),
            )
        return 302, _with_query(redirect_uri, code=code, state=state)

    def _allowed(self, redirect_uri: str) -> bool:
        return not self.redirect_urls or any(redirect_uri.startswith(url) for url in self.redirect_urls)

    # -- oauth.v2.access --------------------------------------------------------------------

    def access(self, params: Params) -> JsonDict:
        """Answer ``oauth.v2.access``: exchange a code (installing) or a refresh token."""
        if params.text("client_id") != self.client_id:
            raise SlackError("invalid_client_id")
        if params.text("client_secret") != self.client_secret:
            raise SlackError("bad_client_secret")
        grant_type = params.text("grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            return self._refresh(params.text("refresh_token"))
        if grant_type != "authorization_code":
            raise SlackError("invalid_grant_type")
        with self._lock:
            code = self._codes.get(params.text("code"))
            if code is None or code.used or self.tenants.clock.now() - code.issued_at > self.code_lifetime:
                raise SlackError("invalid_code")
            redirect_uri = params.text("redirect_uri")
            if redirect_uri and redirect_uri != code.redirect_uri:
                raise SlackError("bad_redirect_uri")
            code.used = True
        return self.install(code.workspace.scope_id, code.scopes, code.user_scopes, user_id=code.user_id)

    def install(
        self,
        team_or_enterprise_id: str,
        scopes: Iterable[str],
        user_scopes: Iterable[str] = (),
        *,
        user_id: str | None = None,
    ) -> JsonDict:
        """Install the app (org-wide for a Grid org) with fresh tokens; return oauth.v2.access's answer."""
        workspace = self.tenants.workspace_of(team_or_enterprise_id)
        installer = user_id or admin_of(workspace)
        bot_scopes, person_scopes = tuple(dict.fromkeys(scopes)), tuple(dict.fromkeys(user_scopes))
        authed_user: JsonDict = {"id": installer}
        body: JsonDict = {"ok": True}
        if bot_scopes:
            bot, refresh = self._issue(workspace, "bot", bot_scopes, workspace.bot.id, self.token_rotation)
            body.update(access_token=bot.token, token_type="bot", scope=",".join(bot_scopes))
            body.update(bot_user_id=workspace.bot.id)
            if refresh is not None:
                body.update(refresh_token=refresh.token, expires_in=self.token_lifetime)
        body.update(app_id=workspace.app_id, **install_ids(workspace), authed_user=authed_user)
        if person_scopes:
            user, refresh = self._issue(workspace, "user", person_scopes, installer, self.token_rotation)
            authed_user.update(scope=",".join(person_scopes), access_token=user.token, token_type="user")
            if refresh is not None:
                authed_user.update(refresh_token=refresh.token, expires_in=self.token_lifetime)
        return body

    def _refresh(self, token: str) -> JsonDict:
        used = self.tenants.tokens.redeem_refresh(token)
        kind: TokenKind = used.renews or "bot"
        workspace = used.workspace
        scopes = tuple(sorted(used.scopes))
        access, refresh = self._issue(workspace, kind, scopes, used.user_id, rotating=True)
        assert refresh is not None
        body: JsonDict = {"ok": True, "app_id": workspace.app_id, "scope": ",".join(scopes)}
        body.update(token_type=kind, access_token=access.token)
        if kind == "bot":
            body["bot_user_id"] = workspace.bot.id
        else:
            body["authed_user"] = {"id": used.user_id}
        body.update(refresh_token=refresh.token, expires_in=self.token_lifetime, **install_ids(workspace))
        return body

    def _issue(
        self, workspace: Workspace, kind: TokenKind, scopes: tuple[str, ...], user_id: str, rotating: bool
    ) -> tuple[Grant, Grant | None]:
        tokens = self.tenants.tokens
        access = install_grant(workspace, new_token(kind, rotating=rotating), kind, frozenset(scopes))
        access.user_id = user_id
        if not rotating:
            return tokens.add(access), None
        access.expires_at = self.tenants.clock.now() + self.token_lifetime
        refresh = replace(access, token=new_token("refresh", rotating=True), kind="refresh", renews=kind)
        refresh.expires_at = None
        return tokens.add(access), tokens.add(refresh)


def install_ids(workspace: Workspace) -> JsonDict:
    """The ``team``/``enterprise``/``is_enterprise_install`` fields of an install (team null org-wide)."""
    org = workspace.enterprise
    return {
        "team": None if org else {"id": workspace.team.id, "name": workspace.team.name},
        "enterprise": {"id": org.id, "name": org.name} if org else None,
        "is_enterprise_install": org is not None,
    }


def admin_of(workspace: Workspace) -> str:
    """The person who approves installs by default: the first admin, else the first member."""
    humans = workspace.humans()
    admin = next((u for u in humans if u.is_admin), humans[0] if humans else workspace.bot)
    return admin.id


def _scope_list(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _with_query(url: str, **values: str | None) -> str:
    query = urlencode({key: value for key, value in values.items() if value is not None})
    return f"{url}{'&' if '?' in url else '?'}{query}"
