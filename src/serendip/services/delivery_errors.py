"""How a failed Slack call is treated: wait, retry, confirm first, or give up on that intro."""

from __future__ import annotations

from enum import Enum

from slack_sdk.errors import SlackApiError

# Errors that no retry will fix: the intro fails with this reason and the round goes on.
PERMANENT = frozenset(
    {
        "user_disabled",
        "user_not_found",
        "users_not_found",
        "too_many_users",
        "not_enough_users",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "invalid_blocks",
        "msg_too_long",
        "restricted_action",
        "missing_scope",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "ekm_access_denied",
        "method_deprecated",
    }
)


class Failure(Enum):
    """What to do after a failed call."""

    RATE_LIMITED = "rate_limited"  # not processed: wait Retry-After and try again
    TRANSIENT = "transient"  # may or may not have taken effect: confirm (posts) or retry (idempotent calls)
    PERMANENT = "permanent"  # give up on this intro


def classify(error: Exception) -> tuple[Failure, str, float]:
    """The kind of failure, a short reason and how long to wait before the next try."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = int(getattr(response, "status_code", 0) or 0)
        code = str(response.get("error") or f"http_{status}") if response is not None else "slack_error"
        if status == 429 or code == "ratelimited":
            retry_after = (response.headers or {}).get("Retry-After") or (response.headers or {}).get(
                "retry-after"
            )
            return Failure.RATE_LIMITED, "ratelimited", float(retry_after or 1)
        if status >= 500 or code in {
            "internal_error",
            "fatal_error",
            "service_unavailable",
            "request_timeout",
        }:
            return Failure.TRANSIENT, code, 1.0
        if code in PERMANENT:
            return Failure.PERMANENT, code, 0.0
        return Failure.TRANSIENT, code, 1.0
    # Timeouts, resets and refused connections: the request may have been processed.
    return Failure.TRANSIENT, type(error).__name__, 1.0
