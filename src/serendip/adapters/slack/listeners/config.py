"""The `/coffee admin config` settings modal: its submission is checked, saved, answered and announced."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from serendip.adapters.slack.announce import announce_change
from serendip.adapters.slack.context import asker
from serendip.adapters.slack.views import admin_blocks, config_modal
from serendip.services import program_admin
from serendip.services.deps import Deps
from serendip.services.errors import ServiceError
from serendip.services.program_admin import InvalidSettings
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the settings modal's submission listener."""
    app.view(config_modal.CALLBACK_ID)(on_config_submit)


def on_config_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    """Validate the settings modal; show field errors, or apply, audit and announce the changes."""
    who = asker(body)
    state = (view.get("state") or {}).get("values") or {}
    channel_id = config_modal.channel_of(view)
    if not channel_id:  # private_metadata is ours, so a form without a channel was not made by us
        log.warning("admin.config_refused user=%s reason=bad_metadata", who.user_id)
        ack(response_action="update", view=config_modal.refused_view(config_modal.BROKEN_FORM))
        return
    try:
        saved = program_admin.save_settings(
            deps,
            team_id=who.team_id,
            user_id=who.user_id,
            channel_id=channel_id,
            # unchanged welcome text keeps its stored mrkdwn: the reader is given the stored text
            read=lambda current_welcome: config_modal.read_config(state, current_welcome),
        )
    except ServiceError as exc:
        ack(response_action="update", view=config_modal.refused_view(str(exc)))
        return
    if isinstance(saved, InvalidSettings):
        ack(response_action="errors", errors=saved.errors)
        return
    ack()
    announce_change(deps.gateway, who.user_id, saved)
    if saved.outcome.changes:
        try:
            deps.gateway.post_to_user(
                who.user_id,
                "Settings saved",
                admin_blocks.change_reply(saved.outcome, saved.actor_tz)["blocks"],
            )
        except SlackCallFailed as exc:
            log.warning("admin.config_reply_failed user=%s error=%s", who.user_id, exc.reason)
