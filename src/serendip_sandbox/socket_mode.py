"""Socket Mode: single-use WebSocket URLs, the hello message, envelopes out and acks back."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from serendip_sandbox.ids import IdFactory
from serendip_sandbox.models import JsonDict

log = logging.getLogger("serendip_sandbox")


@dataclass(frozen=True)
class SocketAck:
    """The bot's acknowledgement of one envelope; ``payload`` is what ``ack(...)`` returned, if anything."""

    envelope_id: str
    payload: JsonDict | None


class SocketHub:
    """Open Socket Mode connections of the app and the envelopes awaiting an ack."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.loop: asyncio.AbstractEventLoop | None = None
        self.acks: list[SocketAck] = []
        self._tickets: set[str] = set()
        self._connections: list[WebSocket] = []
        self._pending: dict[str, concurrent.futures.Future[JsonDict | None]] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._connects = 0
        self._retiring: list[WebSocket] = []

    def issue_url(self, ws_base: str) -> str:
        """Return a fresh single-use ``ws://.../link/?ticket=...&app_id=...`` URL."""
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return f"{ws_base}/link/?ticket={ticket}&app_id={self.app_id}"

    @property
    def connection_count(self) -> int:
        """How many Socket Mode connections are open."""
        with self._lock:
            return len(self._connections)

    @property
    def total_connections(self) -> int:
        """How many connections were ever accepted (reconnects included)."""
        with self._lock:
            return self._connects

    def wait_for_connection(self, timeout: float = 5.0, *, count: int = 1, total: int = 0) -> None:
        """Block until ``count`` connections are open and ``total`` were ever accepted; else TimeoutError."""

        def ready() -> bool:
            return len(self._connections) >= count and self._connects >= total

        with self._lock:
            if not self._changed.wait_for(ready, timeout=timeout):
                raise TimeoutError(f"no Socket Mode connection within {timeout}s")

    async def serve(self, websocket: WebSocket) -> None:
        """Run one connection: check the ticket, say hello, then collect acks until it closes."""
        ticket = websocket.query_params.get("ticket", "")
        with self._lock:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)
        if not valid:
            await websocket.close(code=1008)
            return
        await websocket.accept()
        try:
            await self._greet(websocket)
            while True:
                self._on_message(await websocket.receive_text())
        except WebSocketDisconnect:
            pass
        finally:
            with self._lock:
                if websocket in self._connections:
                    self._connections.remove(websocket)
                self._changed.notify_all()

    async def _greet(self, websocket: WebSocket) -> None:
        with self._lock:
            retiring, self._retiring = self._retiring, []
            hello = self._hello(len(self._connections) + 1)
        for old in retiring:
            # Slack closes a refreshed link once the app has opened its replacement.
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await old.close(code=1000)
        await websocket.send_text(json.dumps(hello))
        # Only a greeted connection receives envelopes, so hello always comes first.
        with self._lock:
            self._connections.append(websocket)
            self._connects += 1
            self._changed.notify_all()

    def _hello(self, num_connections: int) -> JsonDict:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {
                "host": "applink-sandbox-1",
                "build_number": 1,
                "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _on_message(self, text: str) -> None:
        try:
            message: Any = json.loads(text)
        except ValueError:
            log.warning("socket_mode event=unparsable_frame")
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        payload = message.get("payload")
        ack = SocketAck(str(message["envelope_id"]), payload if isinstance(payload, dict) else None)
        with self._lock:
            self.acks.append(ack)
            future = self._pending.pop(ack.envelope_id, None)
        if future is not None and not future.done():
            future.set_result(ack.payload)

    def deliver(
        self,
        envelope_type: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool,
        timeout: float = 5.0,
        retry_attempt: int | None = None,
    ) -> SocketAck:
        """Send an envelope on the newest connection and wait for its ack."""
        envelope_id = IdFactory.envelope_id()
        envelope: JsonDict = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=retry_attempt or 0, retry_reason="")
        future: concurrent.futures.Future[JsonDict | None] = concurrent.futures.Future()
        with self._lock:
            self._pending[envelope_id] = future
        self._send(envelope, timeout)
        try:
            return SocketAck(envelope_id, future.result(timeout=timeout))
        except concurrent.futures.TimeoutError:
            with self._lock:
                self._pending.pop(envelope_id, None)
            raise TimeoutError(
                f"envelope {envelope_id} ({envelope_type}) was not acknowledged in {timeout}s"
            ) from None

    def disconnect(self, reason: str = "refresh_requested", timeout: float = 5.0) -> None:
        """Ask the app to reconnect, as Slack does before recycling a connection."""
        websocket = self._send(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-sandbox-1"}}, timeout
        )
        with self._lock:
            self._retiring.append(websocket)

    def close_all(self, timeout: float = 5.0) -> None:
        """Close every open connection (used when the emulator stops)."""
        with self._lock:
            connections = list(self._connections)
        for websocket in connections:
            # The app may have dropped the link already (its process was stopped first): closing
            # then finds the peer gone, which is what stopping wants anyway.
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                self._run(websocket.close(code=1001), timeout)

    def _send(self, message: JsonDict, timeout: float) -> WebSocket:
        self.wait_for_connection(timeout)
        with self._lock:
            websocket = self._connections[-1]
        self._run(websocket.send_text(json.dumps(message)), timeout)
        return websocket

    def _run(self, coroutine: Any, timeout: float) -> None:
        if self.loop is None:
            coroutine.close()
            raise RuntimeError("the emulator is not running")
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout)
