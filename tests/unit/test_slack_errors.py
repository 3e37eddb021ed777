"""Slack's exceptions become the project's own errors at the gateway, and delivery reads only those."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from serendip.adapters.slack.errors import translate
from serendip.services.lifecycle.failures import Failure, classify
from serendip.services.slack_errors import Ambiguous, Permanent, RateLimited


def slack_error(status: int, error: str, headers: dict[str, Any] | None = None) -> SlackApiError:
    """A SlackApiError as the WebClient raises it."""
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError(error, response)


def test_a_429_becomes_rate_limited_with_slacks_retry_after() -> None:
    error = translate(slack_error(429, "ratelimited", {"Retry-After": "7"}))
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7.0
    assert classify(error) == (Failure.RATE_LIMITED, "ratelimited", 7.0)


def test_a_5xx_is_ambiguous_because_the_call_may_have_taken_effect() -> None:
    error = translate(slack_error(503, "service_unavailable"))
    assert isinstance(error, Ambiguous)
    assert classify(error)[0] is Failure.TRANSIENT


def test_a_user_who_is_gone_is_permanent_and_keeps_slacks_code_as_the_reason() -> None:
    error = translate(slack_error(200, "user_not_found"))
    assert isinstance(error, Permanent)
    assert error.reason == "user_not_found"
    assert classify(error) == (Failure.PERMANENT, "user_not_found", 0.0)


def test_an_unknown_slack_error_is_treated_as_ambiguous() -> None:
    assert isinstance(translate(slack_error(200, "something_new")), Ambiguous)


def test_a_dropped_connection_is_ambiguous() -> None:
    error = translate(ConnectionResetError())
    assert isinstance(error, Ambiguous)
    assert error.reason == "ConnectionResetError"


def test_a_translated_error_is_passed_through_unchanged() -> None:
    original = Permanent("is_archived")
    assert translate(original) is original
