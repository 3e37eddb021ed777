"""How a failed Slack call is treated in a round: wait, retry, confirm first, or give up on that intro."""

from __future__ import annotations

from enum import Enum

from serendip.services.slack_errors import Ambiguous, Permanent, RateLimited, SlackCallFailed

# Slack's answer once the app was removed from the workspace: the round stops (nothing is failed)
# until the uninstall event marks the workspace, or a reinstall brings the token back.
APP_REMOVED = frozenset({"token_revoked"})


class Failure(Enum):
    """What to do after a failed call."""

    RATE_LIMITED = "rate_limited"  # not processed: wait Retry-After and try again
    TRANSIENT = "transient"  # may or may not have taken effect: confirm (posts) or retry (idempotent calls)
    PERMANENT = "permanent"  # give up on this intro


def classify(error: Exception) -> tuple[Failure, str, float]:
    """The kind of failure, a short reason and how long to wait before the next try."""
    if isinstance(error, RateLimited):
        return Failure.RATE_LIMITED, "ratelimited", error.retry_after
    if isinstance(error, Permanent):
        return Failure.PERMANENT, error.reason, 0.0
    if isinstance(error, Ambiguous | SlackCallFailed):
        return Failure.TRANSIENT, error.reason, 1.0
    # Anything else (a bug, a dropped connection outside the gateway) is treated as possibly processed.
    return Failure.TRANSIENT, type(error).__name__, 1.0
