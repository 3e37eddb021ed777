"""App Home: publish the member's Home tab when opened, and its pause/skip/resume buttons."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.context import asker
from serendip.adapters.slack.listeners import admin
from serendip.adapters.slack.views.home_view import MAX_VIEW_BLOCKS, home_view
from serendip.bootstrap import Container
from serendip.services import members, participation
from serendip.services.errors import NotEnrolled
from serendip.services.home import home_data
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the Home tab listeners."""
    app.event("app_home_opened")(on_home_opened)
    app.action("home_pause")(on_pause)
    app.action("home_skip")(on_skip)
    app.action("home_resume")(on_resume)


def publish_home(services: Container, team_id: str, user_id: str) -> bool:
    """Build and publish the Home tab of one user; False (logged) when Slack refused it."""
    with services.db.transaction() as session:
        member = members.ensure_member(session, services.gateway, team_id, user_id)
        view = home_view(home_data(session, member, utcnow()))
        panels = admin.home_panels(session, member, utcnow())  # program health, for program admins
        view["blocks"] = [*view["blocks"][: MAX_VIEW_BLOCKS - len(panels)], *panels]
    try:
        services.gateway.publish_home(user_id, view)
    except SlackCallFailed as exc:
        log.warning("home.publish_failed team=%s user=%s error=%s", team_id, user_id, exc.reason)
        return False
    log.info("home.published team=%s user=%s blocks=%d", team_id, user_id, len(view["blocks"]))
    return True


def on_home_opened(body: dict[str, Any], event: dict[str, Any], services: Container) -> None:
    """Publish a fresh Home tab whenever the member opens it."""
    if event.get("tab", "home") != "home":
        return
    publish_home(services, str(body.get("team_id") or ""), str(event["user"]))


def _change(services: Container, body: dict[str, Any], how: str, value: str = "") -> None:
    team_id, user_id = asker(body).team_id, asker(body).user_id
    with services.db.transaction() as session:
        member = members.ensure_member(session, services.gateway, team_id, user_id)
        try:
            targets = participation.target_enrolments(session, member, "")
        except NotEnrolled:
            targets = []
        if how == "pause":
            days = int(value) if value.isdigit() and int(value) > 0 else None
            participation.pause(
                targets, participation.pause_until(days=days, until=None, tz=member.tz, now=utcnow())
            )
        elif how == "skip":
            participation.skip_next(targets)
        else:
            participation.resume(targets)
    log.info("home.participation team=%s user=%s change=%s programs=%d", team_id, user_id, how, len(targets))
    publish_home(services, team_id, user_id)


def on_pause(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Container) -> None:
    """Pause every program for two weeks, or until resumed (value 0)."""
    ack()
    _change(services, body, "pause", str(action.get("value") or ""))


def on_skip(ack: Ack, body: dict[str, Any], services: Container) -> None:
    """Sit out the next round of every program."""
    ack()
    _change(services, body, "skip")


def on_resume(ack: Ack, body: dict[str, Any], services: Container) -> None:
    """End pauses and skips everywhere."""
    ack()
    _change(services, body, "resume")
