"""The project's own errors for a failed Slack call; Slack's exception types stay in the Slack adapter."""

from __future__ import annotations


class SlackCallFailed(Exception):
    """A Slack call did not succeed; `reason` is Slack's short error code (or the transport error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(SlackCallFailed):
    """Slack answered 429: the call was not processed; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("ratelimited")
        self.retry_after = retry_after


class Permanent(SlackCallFailed):
    """No retry will fix this (user gone, channel archived, missing scope...)."""


class Ambiguous(SlackCallFailed):
    """A timeout, a reset or a 5xx: the call may or may not have taken effect."""
