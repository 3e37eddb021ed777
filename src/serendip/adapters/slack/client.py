"""The Web API client every part of Serendip uses: SLACK_API_URL, and retries only where safe."""

from __future__ import annotations

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


class SlackClients:
    """The one place Web API clients come from (startup checks, directory sync, the gateway).

    Today one bot token serves one workspace; multi-workspace installs give each team its own
    client here without touching the callers.
    """

    def __init__(self, token: str, base_url: str) -> None:
        self._client = make_web_client(token, base_url)

    def for_team(self, team_id: str | None = None) -> WebClient:
        """The client acting for ``team_id`` (None: the single installation)."""
        return self._client


def make_web_client(token: str, base_url: str, *, timeout: int = 30) -> WebClient:
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
