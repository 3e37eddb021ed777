"""Serve an ASGI app with uvicorn in a background thread on 127.0.0.1 (the emulator, test bots)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from typing import Any

import uvicorn

# How long the server keeps an idle HTTP connection open (uvicorn's default, stated because the
# driver's reuse limit is set against it).
KEEP_ALIVE_SECONDS = 5


class _Server(uvicorn.Server):
    """uvicorn server that reports its event loop once it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

        self._wake: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start serving, then publish the loop."""
        await super().startup(sockets=sockets)
        self.loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.ready.set()

    async def main_loop(self) -> None:
        """Tick once a second like uvicorn, but wake at once when asked to exit (fast test teardown)."""
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 10) % 864000
            if self._wake is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, but with no connection or task left it skips uvicorn's fixed 0.1 s pause
        (nothing to wait for; two servers stop per e2e test)."""
        if self.server_state.connections or self.server_state.tasks or self.config.lifespan != "off":
            await super().shutdown(sockets=sockets)
            return
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()

    def request_exit(self) -> None:
        """Ask the server to stop, from any thread."""
        self.should_exit = True
        if self.loop is not None and self._wake is not None:
            self.loop.call_soon_threadsafe(self._wake.set)


class BackgroundServer:
    """One ASGI app on ``host:port`` (port 0 picks a free one) served by a daemon thread."""

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "asgi-server",
        ws_ping_interval: float | None = None,
    ) -> None:
        self.app = app
        self.ws_ping_interval = ws_ping_interval
        self.host = host
        self.name = name
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port: int = self._sock.getsockname()[1]
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The serving event loop, once started."""
        return self._server.loop if self._server else None

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving; returns once the socket accepts connections."""
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ws_ping_interval=self.ws_ping_interval,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name=self.name, daemon=True
        )
        self._thread.start()
        if not self._server.ready.wait(timeout):
            raise RuntimeError(f"{self.name} did not start within {timeout}s")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to finish."""
        if self._server is None or self._thread is None:
            return
        self._server.request_exit()
        self._thread.join(timeout)
        self._server = self._thread = None
        self._sock.close()
