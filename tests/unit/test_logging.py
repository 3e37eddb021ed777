"""Logs never carry tokens."""

from __future__ import annotations

import logging

from serendip.logging_setup import RedactSecrets


def test_bot_and_app_tokens_are_redacted_from_log_lines() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "auth %s and %s", ("xoxb-123-abc", "xapp-1-XYZ"), None
    )
    RedactSecrets().filter(record)
    assert "123-abc" not in record.getMessage()
    assert "XYZ" not in record.getMessage()
