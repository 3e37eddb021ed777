"""Typed access to Web API arguments as they arrive: form strings or JSON values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from serendip_sandbox.errors import SlackError

_TRUE = {"1", "true", "yes", "on"}
_CREDENTIALS = frozenset({"token", "client_secret", "code", "refresh_token"})


class Params:
    """Arguments of one call, merged from the query string and the body (form or JSON)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, default: str = "") -> str:
        """Return a string argument ("" or ``default`` when absent)."""
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def required(self, name: str, error: str = "invalid_arguments") -> str:
        """Return a non-empty string argument, or fail with ``error``."""
        value = self.text(name).strip()
        if not value:
            if error == "invalid_arguments":
                raise SlackError(
                    error, response_metadata={"messages": [f"[ERROR] missing required field: {name}"]}
                )
            raise SlackError(error)
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        """Return a boolean argument (``true``/``1`` as strings, or JSON booleans)."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in _TRUE

    def number(self, name: str) -> int | None:
        """Return an integer argument, ``None`` when absent; ``invalid_arguments`` when not a number."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None

    def structured(self, name: str, error: str) -> Any:
        """Return a structured argument sent as a JSON string (form) or a JSON value; ``None`` when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise SlackError(error) from None

    def redacted(self) -> dict[str, Any]:
        """Return the arguments without credentials (tokens, client secret, OAuth code), for the call log."""
        return {key: value for key, value in self.values.items() if key not in _CREDENTIALS}
