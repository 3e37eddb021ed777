"""The profile modal: opening it, the tag type-ahead, and saving a submission."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from serendip.adapters.slack.context import asker
from serendip.adapters.slack.listeners.home import publish_home
from serendip.adapters.slack.views import blocks
from serendip.adapters.slack.views.profile_modal import (
    CALLBACK_ID,
    EXPERTISE_ACTION,
    INTERESTS_ACTION,
    errors_response,
    options_payload,
    profile_modal,
    read_submission,
)
from serendip.bootstrap import Container
from serendip.domain.profile_input import ProfileInput, check_profile
from serendip.services import members, profile_form
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

SAVE_FAILED = "Sorry, something went wrong saving your profile. Please try again in a minute."
OPEN_FAILED = ":sweat_smile: I couldn't open your profile just now. Please try `/coffee profile` again."


def register(app: App) -> None:
    """Attach the profile listeners."""
    app.action("open_profile")(on_open_profile)
    app.options(EXPERTISE_ACTION)(on_tag_suggestion)
    app.options(INTERESTS_ACTION)(on_tag_suggestion)
    app.view(CALLBACK_ID)(on_submit)


def open_profile(services: Container, *, team_id: str, user_id: str, trigger_id: str) -> bool:
    """Open the profile modal for a user; False (logged) when Slack refused to open it."""
    with services.db.transaction() as session:
        member = members.ensure_member(session, services.gateway, team_id, user_id)
        view = profile_modal(profile_form.snapshot(session, member))
    try:
        services.gateway.open_modal(trigger_id, view)
    except SlackCallFailed as exc:
        log.warning("profile.open_failed team=%s user=%s error=%s", team_id, user_id, exc.reason)
        return False
    log.info("profile.opened team=%s user=%s", team_id, user_id)
    return True


def profile_command(services: Container, body: dict[str, Any]) -> dict[str, Any] | str:
    """`/coffee profile`: open the modal (an empty ack) or say it could not be opened."""
    team_id, user_id = str(body.get("team_id") or ""), str(body.get("user_id") or "")
    try:
        opened = open_profile(
            services, team_id=team_id, user_id=user_id, trigger_id=str(body.get("trigger_id") or "")
        )
    except Exception as exc:  # never a stack trace in Slack: a friendly ephemeral instead
        log.error(
            "profile.command_failed team=%s user=%s error=%s",
            team_id,
            user_id,
            type(exc).__name__,
            exc_info=exc,
        )
        opened = False
    return "" if opened else blocks.reply(OPEN_FAILED)


def on_open_profile(ack: Ack, body: dict[str, Any], services: Container) -> None:
    """The "Fill in your profile" / "Edit profile" buttons."""
    ack()
    team_id, user_id = asker(body).team_id, asker(body).user_id
    open_profile(services, team_id=team_id, user_id=user_id, trigger_id=str(body.get("trigger_id") or ""))


def on_tag_suggestion(ack: Ack, body: dict[str, Any], services: Container) -> None:
    """Type-ahead for the tag selects: matching existing tags, and the typed one when new."""
    team_id = asker(body).team_id
    with services.db.transaction() as session:
        options = profile_form.tag_options(session, team_id, str(body.get("value") or ""))
    ack(options=options_payload(options))


def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Container) -> None:
    """Check and save the modal; problems go back to Slack next to the field they concern."""
    team_id, user_id = asker(body).team_id, asker(body).user_id
    raw = read_submission((view.get("state") or {}).get("values") or {})
    checked = check_profile(raw, self_id=user_id)
    if not isinstance(checked, ProfileInput):
        log.info("profile.invalid team=%s user=%s fields=%s", team_id, user_id, ",".join(sorted(checked)))
        ack(errors_response(checked))
        return
    try:
        with services.db.transaction() as session:
            member = members.ensure_member(session, services.gateway, team_id, user_id)
            profile_form.save(session, member, checked)
    except Exception as exc:  # the modal stays open with a note rather than Slack's generic error
        log.error(
            "profile.save_failed team=%s user=%s error=%s", team_id, user_id, type(exc).__name__, exc_info=exc
        )
        ack(errors_response({"expertise": SAVE_FAILED}))
        return
    ack()
    publish_home(services, team_id, user_id)
