"""Logging: one line per event, key=value fields, and no secrets ever."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

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


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (already redacted and escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON; a traceback goes in `exc`, redacted, never on extra lines."""
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = _SECRET.sub(r"\1[redacted]", self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=True)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Log to stderr at ``level`` as ``text`` (key=value lines) or ``json`` (one object per line).

    Slack libraries stay at WARNING (their DEBUG logs carry payloads); Alembic's INFO lines
    ("Context impl", "Will assume") are noise in every command's output.
    """
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    noisy_loggers = (
        "slack_sdk",
        "slack_bolt",
        "serendip.bolt",
        "uvicorn.access",
        "httpx",
        "apscheduler",
        "alembic",
    )
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
