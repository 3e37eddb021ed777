"""Translate Slack's exceptions into the project's own (`services.slack_errors`)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from serendip.adapters.slack.client import method_of
from serendip.observability import metrics
from serendip.services.slack_errors import Ambiguous, Permanent, RateLimited, SlackCallFailed

# Errors that no retry will fix.
PERMANENT = frozenset(
    {
        "user_disabled",
        "user_not_found",
        "user_not_visible",
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
        "not_authed",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "ekm_access_denied",
        "method_deprecated",
        "invalid_arguments",
        "invalid_trigger_id",
        "expired_trigger_id",
        "trigger_exchanged",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "view_too_large",
        "not_found",
        "file_uploads_disabled",
    }
)
TRANSIENT_CODES = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def translate(error: Exception) -> SlackCallFailed:
    """The project's error for an exception raised by a Slack Web API call."""
    if isinstance(error, SlackCallFailed):
        return error
    if not isinstance(error, SlackApiError):
        # Timeouts, resets and refused connections: the request may have been processed.
        return Ambiguous(type(error).__name__)
    response = error.response
    status = int(getattr(response, "status_code", 0) or 0)
    code = str(response.get("error") or f"http_{status}") if response is not None else "slack_error"
    if status == 429 or code == "ratelimited":
        api_url = str(getattr(response, "api_url", "") or "")
        metrics.slack_rate_limited(method_of(api_url) or "unknown")
        headers = getattr(response, "headers", None) or {}
        retry_after = headers.get("Retry-After") or headers.get("retry-after")
        return RateLimited(float(retry_after or 1))
    if status >= 500 or code in TRANSIENT_CODES:
        return Ambiguous(code)
    if code in PERMANENT:
        return Permanent(code)
    # An error we do not know: treat it as possibly-processed, so posts are confirmed before a retry.
    return Ambiguous(code)
