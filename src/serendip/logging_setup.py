"""Logging: one line per event, key=value fields, and no secrets ever."""

from __future__ import annotations

import logging
import re
import sys

_SECRET = re.compile(r"(xox[abeoprs]-|xapp-)[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    """Replace anything that looks like a Slack token with a marker."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message and its arguments in place."""
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg, record.args = _SECRET.sub(r"\1[redacted]", message), None
        return True


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr at ``level``; Slack libraries stay at WARNING (their DEBUG logs carry payloads)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("slack_sdk", "slack_bolt", "serendip.bolt", "uvicorn.access", "httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
