"""The Web API client every part of Serendip uses: SLACK_API_URL, and retries only where safe."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler


def make_web_client(token: str, base_url: str, *, timeout: int = 30) -> WebClient:
    """A client that retries 429s (never processed, so safe) and nothing else.

    slack-sdk's default handler retries connection errors, which could post a message twice;
    delivery confirms ambiguous posts itself instead.
    """
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5)],
    )


def without_retries(client: WebClient) -> WebClient:
    """A copy of ``client`` that makes exactly one attempt per call.

    Delivery handles 429s itself so it can check its lease between attempts: a post retried
    inside the SDK could outlive the lease and race the worker that took the round over.
    """
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=[])
