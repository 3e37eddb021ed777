"""Slack-shaped identifiers and message timestamps, reproducible from a seed."""

from __future__ import annotations

import random
import threading
import time
import uuid

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class IdFactory:
    """Hands out unique Slack-style ids (``U06ABC123``), trigger ids and message timestamps."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(f"serendip-sandbox-ids-{seed}")
        self._issued: set[str] = set()
        self._last_ts_micros = 0
        self._lock = threading.Lock()

    def new(self, prefix: str, length: int = 10) -> str:
        """Return a fresh id such as ``U07QX4T2M9B`` that was never issued before."""
        with self._lock:
            while True:
                body = "0" + "".join(self._random.choice(_ALPHABET) for _ in range(length - 1))
                candidate = prefix + body
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate

    def field_id(self) -> str:
        """Return a custom profile field id (``Xf01ABCDEF``)."""
        return self.new("Xf", 9)

    def message_ts(self, now: float | None = None) -> str:
        """Return a strictly increasing ``1712345678.123456`` timestamp, unique workspace-wide."""
        with self._lock:
            micros = int((time.time() if now is None else now) * 1_000_000)
            micros = max(micros, self._last_ts_micros + 1)
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def trigger_id(self) -> str:
        """Return a trigger id in Slack's ``<digits>.<digits>.<hex32>`` form."""
        with self._lock:
            left = self._random.randrange(10**12, 10**13)
            middle = self._random.randrange(10**12, 10**13)
            tail = f"{self._random.getrandbits(128):032x}"
        return f"{left}.{middle}.{tail}"

    def secret(self, length: int = 24) -> str:
        """Return an opaque random token (response_url path parts, socket tickets)."""
        with self._lock:
            return "".join(self._random.choice(_ALPHABET.lower() + _ALPHABET) for _ in range(length))

    @staticmethod
    def envelope_id() -> str:
        """Return a Socket Mode envelope id (a UUID, as Slack sends)."""
        return str(uuid.uuid4())
