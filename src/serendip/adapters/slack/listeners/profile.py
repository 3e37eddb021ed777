"""The profile modal: opening it, the tag type-ahead, and saving a submission."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from serendip.adapters.slack import modals
from serendip.adapters.slack.context import asker
from serendip.adapters.slack.views.home_view import home_view
from serendip.adapters.slack.views.profile_modal import (
    CALLBACK_ID,
    EXPERTISE_ACTION,
    INTERESTS_ACTION,
    TITLE,
    errors_response,
    options_payload,
    profile_modal,
    read_submission,
)
from serendip.services import home, profile_form
from serendip.services.deps import Deps

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the profile listeners."""
    app.action("open_profile")(on_open_profile)
    app.options(EXPERTISE_ACTION)(on_tag_suggestion)
    app.options(INTERESTS_ACTION)(on_tag_suggestion)
    app.view(CALLBACK_ID)(on_submit)


def on_open_profile(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """The "Fill in your profile" / "Edit profile" buttons: a loading modal at once, filled when read."""
    ack()
    who = asker(body)
    view_id = modals.open_loading(deps.gateway, who, TITLE, event="profile")
    if view_id is not None:
        modals.fill(
            deps.gateway,
            who,
            view_id,
            TITLE,
            lambda: profile_modal(profile_form.load_profile(deps, team_id=who.team_id, user_id=who.user_id)),
            event="profile",
        )


def on_tag_suggestion(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """Type-ahead for the tag selects: matching existing tags, and the typed one when new."""
    options = profile_form.suggest_tags(deps, team_id=asker(body).team_id, typed=str(body.get("value") or ""))
    ack(options=options_payload(options))


def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    """Check and save the modal; problems go back to Slack next to the field they concern."""
    who = asker(body)
    raw = read_submission((view.get("state") or {}).get("values") or {})
    errors = profile_form.save_profile(deps, team_id=who.team_id, user_id=who.user_id, raw=raw)
    if errors:
        ack(errors_response(errors))
        return
    ack()  # the modal closes first; the Home then shows the saved profile (a second verb, after the ack)
    home.publish_home(deps, team_id=who.team_id, user_id=who.user_id, render=home_view)
