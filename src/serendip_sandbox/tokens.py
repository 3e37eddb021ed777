"""Tokens the emulator issued, what each one opens, and the sandbox clock they expire by."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Literal

from serendip_sandbox.errors import SlackError
from serendip_sandbox.workspace import Workspace

TokenKind = Literal["bot", "user", "app", "refresh"]


class SandboxClock:
    """Wall-clock time plus an offset tests can advance (token and OAuth code expiry read it)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the sandbox's current Unix time in seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock ``seconds`` forward."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds


@dataclass
class Grant:
    """One issued token: the workspace (or Grid org) state it opens and the install it belongs to.

    ``scope_id`` is the team id, or the enterprise id of an org-wide install; ``user_id`` is the bot
    user for bot tokens and the installing person for user tokens. Refresh tokens (``kind`` "refresh")
    renew an access token of kind ``renews`` and work once.
    """

    token: str = field(repr=False)
    kind: TokenKind
    workspace: Workspace = field(repr=False, compare=False)
    scope_id: str
    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool
    user_id: str
    scopes: frozenset[str]
    expires_at: float | None = None
    revoked: bool = False
    used: bool = False
    renews: TokenKind | None = None

    def expired(self, now: float) -> bool:
        """True once the sandbox clock reached the token's expiry (never for non-rotating tokens)."""
        return self.expires_at is not None and now >= self.expires_at


def install_grant(workspace: Workspace, token: str, kind: TokenKind, scopes: frozenset[str]) -> Grant:
    """A grant for the workspace's own install: a team install, or org-wide for a Grid org."""
    org = workspace.enterprise
    return Grant(
        token=token,
        kind=kind,
        workspace=workspace,
        scope_id=workspace.scope_id,
        team_id=None if org else workspace.team.id,
        enterprise_id=org.id if org else None,
        is_enterprise_install=org is not None,
        user_id=workspace.bot.id,
        scopes=scopes,
    )


def new_token(kind: TokenKind, *, rotating: bool) -> str:
    """Return a fresh token in Slack's format (``xoxe.xoxb-1-...`` when it rotates)."""
    body = f"{secrets.randbelow(10**13):013d}-{secrets.randbelow(10**13):013d}-{secrets.token_hex(16)}"
    if kind == "refresh":
        return f"xoxe-1-{secrets.token_hex(40)}"
    prefix = {"bot": "xoxb", "user": "xoxp", "app": "xapp"}[kind]
    return f"xoxe.{prefix}-1-{body}" if rotating else f"{prefix}-{body}"


class TokenBook:
    """Every token the emulator issued, thread-safe; revoked ones stay known (``token_revoked``)."""

    def __init__(self, clock: SandboxClock) -> None:
        self.clock = clock
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def add(self, grant: Grant) -> Grant:
        """Record an issued token."""
        with self._lock:
            self._grants[grant.token] = grant
            return grant

    def get(self, token: str) -> Grant | None:
        """Return the grant behind ``token`` (revoked and expired ones included), if issued."""
        with self._lock:
            return self._grants.get(token)

    def authenticate(self, token: str | None) -> Grant:
        """Return the live grant behind an access token, or fail with Slack's auth error."""
        if not token:
            raise SlackError("not_authed")
        grant = self.get(token)
        if grant is None or grant.kind == "refresh":
            raise SlackError("invalid_auth")
        if grant.revoked:
            raise SlackError("token_revoked")
        if grant.expired(self.clock.now()):
            raise SlackError("token_expired")
        return grant

    def redeem_refresh(self, token: str) -> Grant:
        """Use up a refresh token; ``invalid_refresh_token`` when unknown, used or revoked."""
        with self._lock:
            grant = self._grants.get(token)
            if grant is None or grant.kind != "refresh" or grant.used or grant.revoked:
                raise SlackError("invalid_refresh_token")
            grant.used = True
            return grant

    def of_scope(self, scope_id: str) -> list[Grant]:
        """Copies of every grant of one install (team or org), oldest first."""
        with self._lock:
            return [replace(g) for g in self._grants.values() if g.scope_id == scope_id]

    def revoke_scope(self, scope_id: str) -> list[Grant]:
        """Revoke every bot, user and refresh token of one install; return those newly revoked."""
        with self._lock:
            revoked = [
                g
                for g in self._grants.values()
                if g.scope_id == scope_id and g.kind != "app" and not g.revoked
            ]
            for grant in revoked:
                grant.revoked = True
            return [replace(g) for g in revoked]

    def revoke(self, token: str) -> bool:
        """Revoke one token; False when it was unknown or already revoked."""
        with self._lock:
            grant = self._grants.get(token)
            if grant is None or grant.revoked:
                return False
            grant.revoked = True
            return True

    def is_installed(self, scope_id: str) -> bool:
        """True while the install has a bot or user token that was not revoked."""
        with self._lock:
            return any(
                g.scope_id == scope_id and g.kind in ("bot", "user") and not g.revoked
                for g in self._grants.values()
            )
