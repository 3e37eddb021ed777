"""The error a Web API method raises to answer ``{"ok": false, "error": code}``."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """A Slack API error code, with any extra response fields (``needed``, ``response_metadata``)."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """Return the JSON body Slack answers with."""
        return {"ok": False, "error": self.code, **self.extra}


def invalid_arguments(*messages: str) -> SlackError:
    """Return ``invalid_arguments`` with the ``[ERROR] ...`` messages Slack lists."""
    return SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {m}" for m in messages]})
