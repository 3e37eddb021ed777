"""A small HTTP listener for /healthz and /metrics, for the processes that have no web server
(Socket Mode `serve` and `worker`). HTTP-mode `serve` answers both on its own Starlette server."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from serendip.observability import metrics
from serendip.observability.health import Health

log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    health: Callable[[], Health]

    def do_GET(self) -> None:
        """Answer /healthz and /metrics; anything else is 404."""
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            result = type(self).health()
            self._send(result.status, "application/json", json.dumps(result.body).encode())
        elif path == "/metrics":
            self._send(200, metrics.CONTENT_TYPE, metrics.exposition())
        else:
            self._send(404, "application/json", b'{"error": "not found"}')

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: probes every few seconds would drown the real events."""


class HealthListener:
    """Serves /healthz and /metrics on ``host:port`` from a daemon thread."""

    def __init__(self, host: str, port: int, health: Callable[[], Health]) -> None:
        handler = type("HealthHandler", (_Handler,), {"health": staticmethod(health)})
        # Binding here, not in start(): a port in use fails the command before anything runs.
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="serendip-health", daemon=True
        )

    @property
    def port(self) -> int:
        """The port actually bound (useful when 0 asked for a free one)."""
        return int(self._server.server_address[1])

    def start(self) -> HealthListener:
        """Start answering."""
        self._thread.start()
        log.info("health.listening port=%d", self.port)
        return self

    def stop(self) -> None:
        """Stop answering and release the port."""
        self._server.shutdown()
        self._server.server_close()
