"""The Web API client every part of Serendip uses: SLACK_API_URL, and retries only where safe."""

from __future__ import annotations

from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from serendip.observability import metrics


def method_of(url: str) -> str:
    """The Web API method of a request URL (`.../api/chat.postMessage` -> `chat.postMessage`)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class CountingRateLimitHandler(RateLimitErrorRetryHandler):
    """Slack's own 429 retry, counting each 429 it retries (the last one surfaces and is counted
    by `errors.translate`), so every 429 is counted once."""

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Count the 429, then wait as Slack's Retry-After says."""
        metrics.slack_rate_limited(method_of(request.url))
        super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)


class TokenSource(Protocol):
    """Where OAuth mode's tokens come from (`installations.Installations`)."""

    def bot_token(self, scope_id: str) -> str:
        """The current bot token serving a scope id; raises `LookupError` when none does."""
        ...

    def scope_ids(self) -> list[str]:
        """Every installed scope id."""
        ...


class SlackClients:
    """The one place Web API clients come from (startup checks, directory sync, the gateway).

    Token mode: one bot token serves one workspace, whatever team is asked for. OAuth mode: each
    scope id (team id, or enterprise id of an org-wide install) gets a client with its
    installation's current token, rotated first when it is about to expire.
    """

    def __init__(self, token: str | None, base_url: str, *, installations: TokenSource | None = None) -> None:
        self._base_url = base_url
        self._installations = installations
        # OAuth mode: a client without a token (Bolt copies its settings into each request's client).
        self._client = make_web_client(token, base_url)

    @property
    def oauth_mode(self) -> bool:
        """Whether clients come from installations (OAuth mode) rather than one bot token."""
        return self._installations is not None

    def for_team(self, team_id: str | None = None) -> WebClient:
        """The client acting for a scope id (token mode: the single installation, whatever the id)."""
        if self._installations is None:
            return self._client
        if not team_id:
            raise ValueError("OAuth mode serves many workspaces: name the scope id")
        return make_web_client(self._installations.bot_token(team_id), self._base_url)

    def scope_ids(self) -> list[str]:
        """Every installed scope id (OAuth mode); token mode has no list, its team comes from auth.test."""
        return [] if self._installations is None else self._installations.scope_ids()

    @property
    def base_client(self) -> WebClient:
        """The client of token mode, or OAuth mode's token-less one (the OAuth flow's calls)."""
        return self._client


def make_web_client(token: str | None, base_url: str, *, timeout: int = 30) -> WebClient:
    """A client that retries 429s (never processed, so safe) and nothing else.

    slack-sdk's default handler retries connection errors, which could post a message twice;
    delivery confirms ambiguous posts itself instead.
    """
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[CountingRateLimitHandler(max_retry_count=5)],
    )


def without_retries(client: WebClient) -> WebClient:
    """A copy of ``client`` that makes exactly one attempt per call.

    Delivery handles 429s itself so it can check its lease between attempts: a post retried
    inside the SDK could outlive the lease and race the worker that took the round over.
    """
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=[])
