"""Answering a click through its response_url, when the payload has one."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond

log = logging.getLogger(__name__)


def reply(body: dict[str, Any], respond: Respond, message: dict[str, Any]) -> None:
    """Send ``message`` to the response_url; a payload without one (Slack always sends one for a
    click in a message) gets no answer rather than an exception."""
    if isinstance(body.get("response_url"), str) and body["response_url"]:
        respond(message)
    else:
        log.info("slack.reply_skipped kind=%s reason=no_response_url", body.get("type"))
