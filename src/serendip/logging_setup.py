"""Logging: one line per event, key=value fields, and no secrets ever."""

from __future__ import annotations

import logging
import re
import sys

_SECRET = re.compile(r"(xox[abeoprs]-|xapp-)[A-Za-z0-9-]+")
# C0 and C1 control characters and DEL: a value carrying "\n" could otherwise forge a log line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Show control characters as escapes (\\n, \\x1b...) so one event stays one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class RedactSecrets(logging.Filter):
    """Replace anything that looks like a Slack token with a marker, and escape control characters."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message in place: tokens redacted, control characters escaped."""
        message = record.getMessage()
        safe = escape_controls(_SECRET.sub(r"\1[redacted]", message))
        if safe != message:
            record.msg, record.args = safe, None
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
