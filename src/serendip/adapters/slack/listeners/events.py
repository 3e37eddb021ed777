"""Events API: people joining and leaving program channels, and profile changes."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import App

from serendip.adapters.slack.context import org_wide_enterprise
from serendip.adapters.slack.gateway import to_directory_user
from serendip.domain import payload_values as pv
from serendip.services import channel_membership
from serendip.services.deps import Deps


def register(app: App) -> None:
    """Attach the event listeners."""
    app.event("member_joined_channel")(on_member_joined)
    app.event("member_left_channel")(on_member_left)
    app.event("user_change")(on_user_change)


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    # An org-wide install keys the whole org by its enterprise id, whichever workspace the event is from.
    return org_wide_enterprise(body) or str(event.get("team") or body.get("team_id") or "")


# How far ahead of this machine's clock a channel event's time may be and still order events (Slack's
# and our clocks differ by seconds). A signed event dated far ahead would otherwise freeze the
# member's standing: every real event after it would look older and change nothing.
FUTURE_SKEW_US = 3600 * 1_000_000


def event_time_us(event: dict[str, Any], now_us: int | None = None) -> int | None:
    """The event's `event_ts` in microseconds, when well formed and not beyond FUTURE_SKEW_US ahead."""
    at = pv.event_time_us(event.get("event_ts"))
    limit = (time.time_ns() // 1000 if now_us is None else now_us) + FUTURE_SKEW_US
    return at if at is not None and at <= limit else None


def on_member_joined(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """Enrol and welcome a person who joined a program channel."""
    channel_membership.member_joined_channel(
        deps,
        team_id=_team(body, event),
        channel_id=event["channel"],
        user_id=event["user"],
        event_us=event_time_us(event),
    )


def on_member_left(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """Opt out a person who left a program channel."""
    channel_membership.member_left_channel(
        deps,
        team_id=_team(body, event),
        channel_id=event["channel"],
        user_id=event["user"],
        event_us=event_time_us(event),
    )


def on_user_change(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """Refresh a known member's directory facts, and their department from the profile field."""
    user = to_directory_user(event["user"], org_wide_enterprise(body) or None)
    channel_membership.user_changed(deps, user=user)
