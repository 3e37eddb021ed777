"""Why an intro was not delivered, in plain words for the channel (raw codes go to admins and logs)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

ACCOUNT = frozenset(
    {"user_disabled", "user_not_found", "users_not_found", "account_inactive", "cannot_dm_bot"}
)
GROUP = frozenset({"too_many_users", "not_enough_users"})
ACCESS = frozenset(
    {
        "missing_scope",
        "invalid_auth",
        "token_revoked",
        "no_permission",
        "not_in_channel",
        "restricted_action",
        "ekm_access_denied",
        "channel_not_found",
        "is_archived",
    }
)


def plain_reason(code: str) -> str:
    """One stored failure reason (a Slack error code or ours) as words anyone in the channel reads."""
    if code == "members_left":
        return "people left before it was sent"
    if code.startswith("gave_up:"):
        return "Slack kept failing, so Serendip stopped retrying"
    if code in ACCOUNT:
        return "someone's Slack account can't receive messages"
    if code in GROUP:
        return "the group didn't fit in a Slack group DM"
    if code in ACCESS:
        return "Slack didn't allow Serendip to post it"
    return "Slack refused the message"


def plain_reasons(codes: Iterable[str]) -> list[str]:
    """The distinct plain reasons of several failures, most frequent first."""
    counts = Counter(plain_reason(code) for code in codes)
    return [reason for reason, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
