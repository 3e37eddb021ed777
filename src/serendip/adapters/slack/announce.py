"""A program change announced in its channel (from `/coffee admin` and from the settings modal)."""

from __future__ import annotations

import logging

from serendip.adapters.slack.views import admin_blocks
from serendip.services.ports import Slack
from serendip.services.program_admin import AdminChange
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)


def announce_change(gateway: Slack, actor: str, change: AdminChange) -> None:
    """Post a note about a real change in the program's channel; a refusal from Slack is only logged."""
    note = admin_blocks.announcement(actor, change.outcome, change.names)
    if note is None:
        return
    try:
        gateway.post(change.outcome.channel_id, note[0], note[1])
    except SlackCallFailed as exc:
        log.warning("admin.announce_failed program_id=%s error=%s", change.outcome.program_id, exc.reason)
