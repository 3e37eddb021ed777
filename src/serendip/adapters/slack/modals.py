"""Modals that open at once with a loading view and are filled once their content is read.

`views.open` must use the trigger within Slack's 3 seconds; a slow or locked database must not
cost it, so the loading view opens before any database work and `views.update` fills it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from serendip.adapters.slack.context import Asker
from serendip.adapters.slack.views.loading import UNAVAILABLE, loading_modal, note_modal
from serendip.services.errors import ServiceError
from serendip.services.ports import Messaging
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

View = dict[str, Any]


def open_loading(gateway: Messaging, who: Asker, title: str, *, event: str) -> str | None:
    """Open the loading modal on the asker's trigger; its view id, or None (logged) when Slack refused."""
    try:
        return gateway.open_modal(who.trigger_id, loading_modal(title))
    except SlackCallFailed as exc:
        log.warning("%s.open_failed team=%s user=%s error=%s", event, who.team_id, who.user_id, exc.reason)
        return None


def fill(
    gateway: Messaging, who: Asker, view_id: str, title: str, build: Callable[[], View], *, event: str
) -> bool:
    """Replace the loading modal with ``build()``; a refusal shows its text, a failure the apology.

    True when the real modal is shown.
    """
    filled = False
    try:
        view, filled = build(), True
    except ServiceError as exc:
        view = note_modal(title, str(exc))
    except Exception as exc:  # a locked or failing database: say so in the modal, not a spinner forever
        log.error(
            "%s.load_failed team=%s user=%s error=%s",
            event,
            who.team_id,
            who.user_id,
            type(exc).__name__,
            exc_info=exc,
        )
        view = note_modal(title, UNAVAILABLE)
    try:
        gateway.update_view(view_id, view)
    except SlackCallFailed as exc:  # e.g. the member closed the loading modal already
        log.warning("%s.update_failed team=%s user=%s error=%s", event, who.team_id, who.user_id, exc.reason)
        return False
    if filled:
        log.info("%s.opened team=%s user=%s", event, who.team_id, who.user_id)
    return filled
