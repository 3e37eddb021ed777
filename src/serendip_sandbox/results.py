"""What the bot answered the driver: HTTP results, slash command results, and Slack's signature."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from serendip_sandbox.emulator_state import StateReader
from serendip_sandbox.models import JsonDict
from serendip_sandbox.records import Ephemeral


def sign(secret: str, timestamp: int, body: str) -> str:
    """Return Slack's ``X-Slack-Signature`` for ``body`` sent at ``timestamp``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class HttpResult:
    """The bot's answer: HTTP status (200 for a Socket Mode ack) and the parsed ack body."""

    status: int
    body: JsonDict | str | None
    sent: Mapping[str, Any] = field(default_factory=dict)

    @property
    def json(self) -> JsonDict:
        """The ack body as JSON; AssertionError when the bot did not answer JSON."""
        assert isinstance(self.body, dict), f"expected a JSON ack, got {self.body!r}"
        return self.body

    @property
    def text(self) -> str:
        """The ack's text: a plain-text body, or the ``text`` field of a JSON body ("" when empty)."""
        return _text_of(self.body)


@dataclass
class CommandResult(HttpResult):
    """A slash command's ack plus what the bot later sends to the command's response_url."""

    response_url: str = ""
    user_id: str = ""
    emulator: StateReader | None = None  # the readers of the command's workspace
    working: str | None = None  # the driver's `working` text: an ack that promises a later answer
    answer_timeout: float = 60.0

    @property
    def json(self) -> JsonDict:
        """The command's answer as JSON: the ack, or, when the ack was only the driver's `working`
        text, the first body the bot then sent to the response_url (a person waits for it too)."""
        body = self._answer()
        assert isinstance(body, dict), f"expected a JSON answer, got {body!r}"
        return body

    @property
    def text(self) -> str:
        """The answer's text (see `json`): a plain-text ack, or the ``text`` field of a JSON answer."""
        return _text_of(self._answer())

    @property
    def ack_text(self) -> str:
        """The ack's own text, whatever followed it ("" when the ack was empty)."""
        return _text_of(self.body)

    def answer_after(self, interim: str, timeout: float = 60.0) -> JsonDict:
        """The answer of a command that may ack its own "working" line (one containing ``interim``)
        first: the body it then sent to the response_url; otherwise the answer `json` reads."""
        if interim in self.text:
            return self.wait_for_responses(1, timeout)[0]
        return self.json

    def _answer(self) -> JsonDict | str | None:
        if self.working is None or self.ack_text != self.working:
            return self.body
        return self.wait_for_responses(1, self.answer_timeout)[0]

    def responses(self) -> list[JsonDict]:
        """Bodies the bot POSTed to the response_url so far."""
        return self.emulator.responses(self.response_url) if self.emulator else []

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[JsonDict]:
        """Wait until the bot POSTed ``count`` bodies to the response_url and return them."""
        assert self.emulator is not None
        return self.emulator.wait_for_responses(self.response_url, count, timeout)

    def seen(self) -> list[Ephemeral]:
        """Everything ephemeral the invoking user saw so far (ack text, response_url, postEphemeral)."""
        return self.emulator.ephemerals(self.user_id) if self.emulator else []


def _text_of(body: JsonDict | str | None) -> str:
    """A plain-text body, or the ``text`` field of a JSON one ("" when empty)."""
    if isinstance(body, dict):
        return str(body.get("text", ""))
    return body or ""


def parse_body(response: httpx.Response) -> JsonDict | str | None:
    """The bot's HTTP answer as JSON, text, or None when empty."""
    if not response.content:
        return None
    if response.headers.get("content-type", "").startswith("application/json"):
        parsed = response.json()
        return parsed if isinstance(parsed, dict) else {"value": parsed}
    return response.text


def socket_body(payload: JsonDict | None) -> JsonDict | str | None:
    """A Socket Mode ack's payload as the driver reports it (None when empty)."""
    # Bolt wraps a plain-text ack as {"text": ...}; a JSON ack arrives as the object itself.
    return payload or None
