"""SlackEmulator: the sandbox Slack Web API + Socket Mode server, with test and ops controls."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Any

from serendip_sandbox.context import DEFAULT_SCOPES
from serendip_sandbox.emulator_tenancy import Tenancy
from serendip_sandbox.faults import SLACK_TIERS, CallLog, CallRecord, Faults
from serendip_sandbox.generator import generate_workspace
from serendip_sandbox.http_app import ApiCore, build_app
from serendip_sandbox.models import JsonDict
from serendip_sandbox.oauth import OAuthApp
from serendip_sandbox.responses import issue_response_url, show_command_ack
from serendip_sandbox.serving import BackgroundServer
from serendip_sandbox.socket_mode import SocketAck, SocketHub
from serendip_sandbox.tenancy import Tenants
from serendip_sandbox.tokens import SandboxClock
from serendip_sandbox.workspace import Workspace


class SlackEmulator(Tenancy):
    """A local Slack: ``start()`` serves the Web API at ``api_url``, Socket Mode at ``/link/`` and
    the OAuth consent page at ``authorize_url``.

    It hosts ``workspace`` (the primary, whose ``bot_token`` works at once) and any workspace or
    Grid org added with ``add_workspace``; each call is answered by the workspace its token opens.
    ``scopes`` are granted to those ready-made tokens; OAuth installs get the scopes they request.
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        scopes: frozenset[str] = DEFAULT_SCOPES,
        host: str = "127.0.0.1",
        port: int = 0,
        token_rotation: bool = False,
    ) -> None:
        super().__init__(workspace or generate_workspace())
        self.scopes = scopes
        self.calls = CallLog()
        self.faults = Faults()
        self.clock = SandboxClock()
        self.hub = SocketHub(self.workspace.app_id)
        self.tenants = Tenants(self.workspace, scopes, self.clock)
        self.oauth = OAuthApp(self.tenants, token_rotation=token_rotation)
        self._core = ApiCore(
            self.tenants, oauth=self.oauth, calls=self.calls, faults=self.faults, hub=self.hub
        )
        self._host, self._port = host, port
        self._server: BackgroundServer | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> SlackEmulator:
        """Serve in a background thread on an ephemeral port; returns once connections are accepted."""
        if self._server is not None:
            return self
        # Frequent pings, as Slack pings too, let blocking clients notice closes and stop quickly.
        server = BackgroundServer(
            build_app(self._core),
            host=self._host,
            port=self._port,
            name="slack-emulator",
            ws_ping_interval=0.25,
        )
        self._port = server.port
        self._core.base_url = self.base_url
        self._server = server.start(timeout)
        self.hub.loop = server.loop
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close Socket Mode connections and stop serving."""
        if self._server is None:
            return
        with contextlib.suppress(RuntimeError, TimeoutError):
            self.hub.close_all()
        self._server.stop(timeout)
        self._server = None
        self.hub.loop = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port served (known after ``start()``)."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self._host}:{self._port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)`` / ``SLACK_API_URL``."""
        return f"{self.base_url}/api/"

    @property
    def authorize_url(self) -> str:
        """The OAuth consent page, for Bolt's ``authorization_url`` (``{base_url}/oauth/v2/authorize``)."""
        return f"{self.base_url}/oauth/v2/authorize"

    @property
    def bot_token(self) -> str:
        """The primary workspace's ready-made bot token (``xoxb-...``)."""
        return self.workspace.bot_token

    @property
    def app_token(self) -> str:
        """The app-level token (``xapp-...``) for ``apps.connections.open``."""
        return self.workspace.app_token

    @property
    def signing_secret(self) -> str:
        """The signing secret the driver signs requests with."""
        return self.workspace.signing_secret

    # -- faults and the call log ---------------------------------------------------------------

    def inject(
        self,
        method: str,
        *,
        error_rate: float = 0.0,
        ambiguous_rate: float = 0.0,
        status: int = 500,
        seed: int | None = None,
        ratelimited_rate: float = 0.0,
        retry_after: float = 1,
    ) -> None:
        """Fail a share of ``method`` calls with ``status`` (ambiguous ones act first) and answer
        another share 429 with ``Retry-After: retry_after`` ("*" = all)."""
        self.faults.inject(
            method,
            error_rate=error_rate,
            ambiguous_rate=ambiguous_rate,
            status=status,
            seed=seed,
            ratelimited_rate=ratelimited_rate,
            retry_after=retry_after,
        )

    def fail_matching(
        self, method: str, matches: Callable[[dict[str, Any]], bool], *, count: int, status: int = 500
    ) -> None:
        """Fail (without acting) the next ``count`` calls to ``method`` whose params ``matches``."""
        self.faults.fail_matching(method, matches, count=count, status=status)

    def rate_limit(
        self, method: str, per_minute: int = 50, window_seconds: float = 60.0, *, per_channel: bool = False
    ) -> None:
        """Answer 429 + Retry-After beyond ``per_minute`` calls in a sliding ``window_seconds``, counted
        per install (each hosted workspace or org has its own budget, as on Slack)."""
        self.faults.rate_limit(method, per_minute, window_seconds, per_channel=per_channel)

    def burst_429(self, method: str, count: int, retry_after: float = 1) -> None:
        """Answer the next ``count`` calls to ``method`` with 429 and ``Retry-After: retry_after``."""
        self.faults.burst_429(method, count, retry_after)

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer every ``method`` call only after ``seconds`` ("*" = all), other calls unaffected."""
        self.faults.slow_down(method, seconds)

    def clear_faults(self, method: str | None = None) -> None:
        """Remove fault plans and rate limits (of ``method`` only, when given)."""
        self.faults.clear(method)

    def apply_slack_tiers(self, window_seconds: float = 60.0) -> None:
        """Rate-limit every method like Slack's tiers; a shorter window speeds the "minute" up."""
        for method, per_minute in SLACK_TIERS.items():
            self.rate_limit(method, per_minute, window_seconds)
        self.rate_limit("chat.postMessage", 1, window_seconds / 60, per_channel=True)

    def count(self, method: str | None = None, *, ok: bool | None = None) -> int:
        """How many calls ``method`` received (all methods when None), optionally only (un)successful."""
        return self.calls.count(method, ok=ok)

    def calls_to(self, method: str) -> list[CallRecord]:
        """The recorded calls to ``method``, oldest first."""
        return self.calls.all(method)

    # -- plumbing for the driver ---------------------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        """Register a trigger_id in the primary workspace that ``views.open``/``views.push`` accept once."""
        return self.workspace.issue_trigger(user_id)

    def issue_response_url(
        self,
        *,
        user_id: str,
        channel_id: str,
        kind: str,
        message_ts: str | None = None,
        message_is_ephemeral: bool = False,
    ) -> str:
        """Register a response_url for a command or interaction in the primary workspace and return it."""
        return issue_response_url(
            self.workspace,
            self.base_url,
            user_id=user_id,
            channel_id=channel_id,
            kind=kind,
            message_ts=message_ts,
            message_is_ephemeral=message_is_ephemeral,
        )

    def show_command_ack(self, response_url: str, body: JsonDict | str | None) -> None:
        """Show a slash command's ack body to its user, as Slack does with the HTTP/socket ack."""
        show_command_ack(self.workspace, response_url, body)

    def deliver(
        self,
        envelope_type: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool = False,
        timeout: float = 5.0,
    ) -> SocketAck:
        """Send a Socket Mode envelope to the connected app and return its ack."""
        return self.hub.deliver(
            envelope_type, payload, accepts_response_payload=accepts_response_payload, timeout=timeout
        )

    def wait_for_socket(self, timeout: float = 5.0, *, count: int = 1, total: int = 0) -> None:
        """Block until ``count`` Socket Mode connections are open and ``total`` were ever made."""
        self.hub.wait_for_connection(timeout, count=count, total=total)

    def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message, asking the app to reconnect."""
        self.hub.disconnect(reason)

    def describe(self) -> dict[str, Any]:
        """Connection details for logs and the demo banner (no tokens)."""
        return {
            "api_url": self.api_url,
            "team": self.workspace.team.name,
            "members": len(self.workspace.users),
            "workspaces": len(self.workspaces),
            "socket_connections": self.hub.connection_count,
        }
