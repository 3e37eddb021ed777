"""SlackDriver: plays Slack's side towards the bot, over signed HTTP or Socket Mode envelopes."""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx

from serendip_sandbox.driver_lifecycle import LifecycleEvents
from serendip_sandbox.emulator import SlackEmulator
from serendip_sandbox.models import JsonDict
from serendip_sandbox.payloads import Payloads, Values
from serendip_sandbox.records import Ephemeral
from serendip_sandbox.responses import show_command_ack
from serendip_sandbox.results import CommandResult, HttpResult, parse_body, sign, socket_body

__all__ = ["CommandResult", "HttpResult", "SlackDriver", "sign"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


SENDS_WHEN_BUSY = 3
BUSY_PAUSE_SECONDS = 0.2
# A connection idle this long is not reused. It must stay well under the bot server's keep-alive
# (serving.KEEP_ALIVE_SECONDS): at equal limits the server closes the socket just as the driver
# sends on it, and the request is lost ("Server disconnected without sending a response").
IDLE_CONNECTION_SECONDS = 1.0


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context, loaded once: loading the CA file took 60 ms per driver."""
    return httpx.create_ssl_context()


class SlackDriver(LifecycleEvents):
    """Sends the bot what Slack would send: commands, events and interactions, signed or via socket.

    It acts for one workspace of the emulator: ``team_id`` picks a hosted workspace, or one team of
    a hosted Grid org (an enterprise id: the org's first team); None is the primary workspace.
    ``for_team`` gives a driver for another one (one app, so the same signing secret).
    """

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        emulator: SlackEmulator,
        *,
        via_socket: bool = False,
        timeout: float = 10.0,
        team_id: str | None = None,
        http: httpx.Client | None = None,
        try_again: str | None = None,
        working: str | None = None,
    ) -> None:
        self.bot_url = bot_url
        # The text of an ack that asks the person to send the command again (a bot too busy to
        # take it); a person would, so the driver does, up to SENDS_WHEN_BUSY times in all. Given,
        # the driver also redelivers an event the bot answered with a 5xx, as Slack does.
        self.try_again = try_again
        # The text of an ack that only says the bot is working on it and will answer at the
        # response_url (a slow command past Slack's 3 s). A person waits for that answer, so a
        # command's `json` and `text` then read it, not the ack.
        self.working = working
        self.signing_secret = signing_secret
        self.emulator = emulator
        self.via_socket = via_socket
        self.timeout = timeout
        self.workspace = emulator.workspace_of(team_id) if team_id else emulator.workspace
        self.team = emulator.tenants.team_of(team_id) if team_id else self.workspace.team
        self.state = emulator.state_of(self.workspace.scope_id)
        self.payloads = Payloads(emulator, self.workspace, self.team)
        self._owns_http = http is None
        self._http = http or httpx.Client(
            timeout=timeout, verify=_tls(), limits=httpx.Limits(keepalive_expiry=IDLE_CONNECTION_SECONDS)
        )

    @classmethod
    def socket(
        cls,
        emulator: SlackEmulator,
        timeout: float = 10.0,
        *,
        team_id: str | None = None,
        working: str | None = None,
    ) -> SlackDriver:
        """A driver that delivers everything as Socket Mode envelopes."""
        return cls(
            "",
            emulator.signing_secret,
            emulator,
            via_socket=True,
            timeout=timeout,
            team_id=team_id,
            working=working,
        )

    def for_team(self, team_id: str) -> SlackDriver:
        """A driver acting for another hosted workspace or Grid team, sharing this one's connections."""
        return SlackDriver(
            self.bot_url,
            self.signing_secret,
            self.emulator,
            via_socket=self.via_socket,
            timeout=self.timeout,
            team_id=team_id,
            http=self._http,
            try_again=self.try_again,
            working=self.working,
        )

    def close(self) -> None:
        """Release the HTTP connection pool (a ``for_team`` driver leaves its parent's open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> SlackDriver:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- slash commands ---------------------------------------------------------------------

    def slash_command(
        self, user_id: str, text: str = "", *, channel_id: str | None = None, command: str = "/coffee"
    ) -> CommandResult:
        """Invoke ``command text`` as ``user_id`` in ``channel_id`` (None: the user's DM with the app)."""
        for _ in range(SENDS_WHEN_BUSY):
            form = self.payloads.slash_command(user_id, text, channel_id=channel_id, command=command)
            if self.via_socket:
                result = self._deliver("slash_commands", form, accepts_response_payload=True)
            else:
                result = self.send_raw(urlencode(form), FORM)
            if result.status == 200:
                show_command_ack(self.workspace, form["response_url"], result.body)
            if self.try_again is None or result.text != self.try_again:
                break
            time.sleep(BUSY_PAUSE_SECONDS)
        return CommandResult(
            result.status,
            result.body,
            form,
            response_url=form["response_url"],
            user_id=user_id,
            emulator=self.state,
            working=self.working,
        )

    # -- events -----------------------------------------------------------------------------

    def event(self, event: JsonDict, *, retry_attempt: int = 0) -> HttpResult:
        """Deliver one event inside an ``event_callback`` envelope."""
        return self.deliver_envelope(self.payloads.event_callback(event), retry_attempt=retry_attempt)

    def deliver_envelope(self, envelope: JsonDict, *, retry_attempt: int = 0) -> HttpResult:
        """Deliver (or redeliver, with ``retry_attempt`` > 0) an Events API envelope as-is."""
        if self.via_socket:
            ack = self.emulator.hub.deliver(
                "events_api",
                envelope,
                accepts_response_payload=False,
                timeout=self.timeout,
                retry_attempt=retry_attempt,
            )
            return HttpResult(200, ack.payload, envelope)
        body = json.dumps(envelope)
        for attempt in range(retry_attempt, retry_attempt + SENDS_WHEN_BUSY):
            headers = (
                {
                    "X-Slack-Retry-Num": str(attempt),
                    "X-Slack-Retry-Reason": _retry_reason(retry_attempt, attempt),
                }
                if attempt
                else {}
            )
            result = self.send_raw(body, JSON, headers=headers)
            if self.try_again is None or result.status < 500:
                break
            _next_second()  # Slack's retry carries a fresh signature: the same body, another second
        return HttpResult(result.status, result.body, envelope)

    def member_joined_channel(self, user: str, channel: str, *, inviter: str | None = None) -> HttpResult:
        """Add ``user`` to ``channel`` in the workspace, then send ``member_joined_channel``.

        ``user`` may be a Grid member's workspace-local id: the event carries it, the channel holds
        the person."""
        self.workspace.join(channel, self.workspace.global_id(user))
        event = {
            "type": "member_joined_channel",
            "user": user,
            "channel": channel,
            "channel_type": self._channel_type(channel),
            "team": self.team.id,
        }
        if inviter:
            event["inviter"] = inviter
        return self.event(event)

    def member_left_channel(self, user: str, channel: str) -> HttpResult:
        """Remove ``user`` from ``channel`` in the workspace, then send ``member_left_channel``."""
        self.workspace.leave(channel, self.workspace.global_id(user))
        return self.event(
            {
                "type": "member_left_channel",
                "user": user,
                "channel": channel,
                "channel_type": self._channel_type(channel),
                "team": self.team.id,
            }
        )

    def app_home_opened(self, user: str) -> HttpResult:
        """Send ``app_home_opened`` for the Home tab (with the published view, if any)."""
        person = self.workspace.global_id(user)  # a Grid member's local id: the event carries it
        dm, _ = self.workspace.open_dm([person])
        event: JsonDict = {"type": "app_home_opened", "user": user, "channel": dm.id, "tab": "home"}
        view = self.state.home_view(person)
        if view is not None:
            event["view"] = view
        return self.event(event)

    def user_change(self, user: str | JsonDict) -> HttpResult:
        """Send ``user_change`` with the member's current user object (or the one given)."""
        ws = self.workspace
        shape = ws.user_shape(user) if isinstance(user, str) else user
        return self.event({"type": "user_change", "user": shape, "cache_ts": ws.epoch()})

    def url_verification(
        self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    ) -> HttpResult:
        """Send Slack's ``url_verification`` handshake; the bot must echo the challenge."""
        return self.send_raw(json.dumps(self.payloads.url_verification(challenge)), JSON)

    def _channel_type(self, channel: str) -> str:
        kind = self.workspace.conversations[channel].kind
        return {"channel": "C", "private": "G", "mpim": "G", "im": "D"}[kind]

    # -- interactivity ----------------------------------------------------------------------

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: Any = None,
        *,
        channel_id: str | None = None,
        message: JsonDict | Ephemeral | None = None,
        view: JsonDict | None = None,
        block_id: str | None = None,
        values: Values | None = None,
    ) -> HttpResult:
        """Click a button (or pick ``value`` in a menu) in a message, ephemeral message or view."""
        payload = self.payloads.block_actions(
            user_id,
            action_id,
            value,
            channel_id=channel_id,
            message=message,
            view=view,
            block_id=block_id,
            values=values,
        )
        return self._interaction(payload)

    def view_submission(self, user_id: str, view: JsonDict, values: Values | None = None) -> HttpResult:
        """Submit a modal with ``values``; the ack's response_action is applied to the emulator."""
        payload = self.payloads.view_submission(user_id, view, values)
        result = self._interaction(payload)
        if result.status == 200:
            self.state.apply_view_ack(
                payload["view"]["id"], result.body if isinstance(result.body, dict) else None
            )
        return result

    def view_closed(self, user_id: str, view: JsonDict) -> HttpResult:
        """Close a modal with Cancel/×; ``view_closed`` is sent only when the view asked for it."""
        self.state.close_view(view["id"])
        if not view.get("notify_on_close"):
            return HttpResult(200, None)
        return self._interaction(self.payloads.view_closed(user_id, view))

    def block_suggestion(
        self, user_id: str, action_id: str, value: str, view: JsonDict, block_id: str | None = None
    ) -> JsonDict:
        """Type ``value`` into an external select and return the options JSON the bot answered."""
        payload = self.payloads.block_suggestion(user_id, action_id, value, view, block_id)
        result = self._interaction(payload)
        return result.json

    def _interaction(self, payload: JsonDict) -> HttpResult:
        if self.via_socket:
            # Slack marks every interactive envelope as accepting a response payload.
            result = self._deliver("interactive", payload, accepts_response_payload=True)
        else:
            result = self.send_raw(urlencode({"payload": json.dumps(payload)}), FORM)
        result.sent = payload
        return result

    # -- transport and security variants ----------------------------------------------------

    def send_raw(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        signed: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResult:
        """POST ``body`` to the bot, signed like Slack unless told otherwise."""
        sent_at = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "User-Agent": _USER_AGENT,
            "Accept": "application/json,*/*",
            **(headers or {}),
        }
        if signed:
            all_headers["X-Slack-Request-Timestamp"] = str(sent_at)
            all_headers["X-Slack-Signature"] = signature or sign(self.signing_secret, sent_at, body)
        response = self._http.post(self.bot_url, content=body.encode(), headers=all_headers)
        return HttpResult(response.status_code, parse_body(response))

    def unsigned(self, user_id: str, text: str = "", *, channel_id: str | None = None) -> HttpResult:
        """A slash command without signature headers (the bot must answer 401)."""
        return self._command_variant(user_id, text, channel_id, signed=False)

    def bad_signature(self, user_id: str, text: str = "", *, channel_id: str | None = None) -> HttpResult:
        """A slash command signed with the wrong secret (the bot must answer 401)."""
        return self._command_variant(user_id, text, channel_id, secret="not-" + self.signing_secret)

    def stale(
        self, user_id: str, text: str = "", *, channel_id: str | None = None, age_seconds: int = 600
    ) -> HttpResult:
        """A correctly signed slash command sent ``age_seconds`` ago (a replay; the bot must answer 401)."""
        return self._command_variant(user_id, text, channel_id, age_seconds=age_seconds)

    def _command_variant(
        self,
        user_id: str,
        text: str,
        channel_id: str | None,
        *,
        signed: bool = True,
        secret: str | None = None,
        age_seconds: int = 0,
    ) -> HttpResult:
        form = self.payloads.slash_command(user_id, text, channel_id=channel_id, command="/coffee")
        body = urlencode(form)
        timestamp = int(time.time()) - age_seconds
        signature = sign(secret or self.signing_secret, timestamp, body)
        return self.send_raw(body, FORM, timestamp=timestamp, signature=signature, signed=signed)

    def _deliver(
        self, envelope_type: str, payload: Mapping[str, Any], *, accepts_response_payload: bool
    ) -> HttpResult:
        ack = self.emulator.deliver(
            envelope_type,
            dict(payload),
            accepts_response_payload=accepts_response_payload,
            timeout=self.timeout,
        )
        return HttpResult(200, socket_body(ack.payload), payload)


def _retry_reason(first: int, attempt: int) -> str:
    """X-Slack-Retry-Reason of a delivery: a redelivery the caller asked for, or one after a 5xx."""
    return "http_timeout" if attempt == first else "http_error"


def _next_second() -> None:
    """Sleep into the next whole second (a request signed then differs from one signed now)."""
    time.sleep(1.0 - time.time() % 1.0 + 0.01)
