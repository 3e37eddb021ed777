"""The OAuth code never reaches a log line, in any of the shapes Bolt logs it."""

from __future__ import annotations

import logging

import pytest

from serendip.adapters.slack.oauth import RedactOAuthCode

SECRET = "7321.9988.f00dface-never-log-me"


def _filtered(msg: str, *args: object) -> str:
    record = logging.LogRecord("serendip.bolt", logging.WARNING, __file__, 1, msg, args, None)
    assert RedactOAuthCode().filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    "line",
    [
        f"Failed to fetch oauth.v2.access result with code: {SECRET} - error: invalid_code",
        f"request: {{'code': ['{SECRET}'], 'state': ['s']}}",
        f"query code={SECRET}&state=s",
        f"{{'code': '{SECRET}'}}",
    ],
)
def test_every_shape_of_the_code_is_redacted(line: str) -> None:
    out = _filtered(line)
    assert SECRET not in out and "never-log-me" not in out and "[redacted]" in out


def test_a_line_with_arguments_is_redacted_after_formatting() -> None:
    assert SECRET not in _filtered("failed with code: %s", SECRET)


def test_a_line_without_a_code_is_left_alone() -> None:
    assert _filtered("install.failed reason=%s", "invalid_code") == "install.failed reason=invalid_code"
