"""App Home: publish the member's Home tab when opened, and its pause/skip/resume buttons."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.views.home_view import home_view
from serendip.domain import payload_values
from serendip.services import home
from serendip.services.deps import Deps

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the Home tab listeners."""
    app.event("app_home_opened")(on_home_opened)
    app.action("home_pause")(on_pause)
    app.action("home_skip")(on_skip)
    app.action("home_resume")(on_resume)


def on_home_opened(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """Publish a fresh Home tab whenever the member opens it."""
    if event.get("tab", "home") != "home":
        return
    who = asker(body)
    home.publish_home(deps, team_id=who.team_id, user_id=who.user_id, render=home_view)


def on_pause(ack: Ack, body: dict[str, Any], action: dict[str, Any], deps: Deps) -> None:
    """Pause every program for two weeks, or until resumed (value 0)."""
    ack()
    who = asker(body)
    value = payload_values.pause_days(action.get("value"))
    if value is None:  # not a value our button carries; the Home tab has no place for a reply
        log.warning("home.pause_refused team=%s user=%s reason=bad_value", who.team_id, who.user_id)
        return
    days = value or None  # 0: until resumed
    home.change_participation(
        deps, team_id=who.team_id, user_id=who.user_id, change="pause", days=days, render=home_view
    )


def on_skip(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """Sit out the next round of every program."""
    ack()
    who = asker(body)
    home.change_participation(
        deps, team_id=who.team_id, user_id=who.user_id, change="skip", days=None, render=home_view
    )


def on_resume(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """End pauses and skips everywhere."""
    ack()
    who = asker(body)
    home.change_participation(
        deps, team_id=who.team_id, user_id=who.user_id, change="resume", days=None, render=home_view
    )
