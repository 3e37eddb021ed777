"""The call log and the failures the emulator can be told to produce: 5xx, ambiguous 5xx, 429, slowness."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

ANY_METHOD = "*"


@dataclass(frozen=True)
class CallRecord:
    """One Web API call as the emulator answered it, and whose token made it.

    ``scope_id`` is the install the token belongs to (team id; enterprise id for an org-wide token),
    None when the call had no valid token; ``params`` leave out tokens, client secrets and codes.
    """

    method: str
    params: dict[str, Any]
    status: int
    ok: bool
    error: str | None
    at: float
    fault: str | None = None
    scope_id: str | None = None
    token: str | None = field(default=None, repr=False)


class CallLog:
    """Every Web API call, in arrival order."""

    def __init__(self) -> None:
        self._records: list[CallRecord] = []
        self._lock = threading.Lock()

    def add(self, record: CallRecord) -> None:
        """Append a call."""
        with self._lock:
            self._records.append(record)

    def all(self, method: str | None = None) -> list[CallRecord]:
        """Return the calls (to ``method`` only, when given)."""
        with self._lock:
            return [r for r in self._records if method is None or r.method == method]

    def made_by(self, scope_id: str, method: str | None = None) -> list[CallRecord]:
        """Return the calls made with tokens of one install (to ``method`` only, when given)."""
        return [r for r in self.all(method) if r.scope_id == scope_id]

    def count(self, method: str | None = None, *, ok: bool | None = None) -> int:
        """Count calls to ``method`` (all methods when None), optionally only (un)successful ones."""
        return sum(1 for r in self.all(method) if ok is None or r.ok == ok)

    def clear(self) -> None:
        """Forget every recorded call."""
        with self._lock:
            self._records.clear()


@dataclass(frozen=True)
class Verdict:
    """What to do with a call: answer 429, fail without acting, or act and then fail."""

    kind: Literal["ratelimited", "error", "ambiguous"]
    status: int
    retry_after: float = 0  # seconds; Slack sends whole ones, a benchmark that scales time may not

    def retry_after_header(self) -> str:
        """The Retry-After header: whole seconds as Slack sends them ("1"), else the fraction ("0.1")."""
        whole = float(self.retry_after).is_integer()
        return str(int(self.retry_after)) if whole else f"{self.retry_after:g}"


@dataclass
class _Injection:
    error_rate: float
    ambiguous_rate: float
    status: int
    rng: random.Random
    ratelimited_rate: float = 0.0
    retry_after: float = 1


@dataclass
class _Targeted:
    matches: Callable[[dict[str, Any]], bool]
    remaining: int
    status: int


class SlidingWindow:
    """At most ``limit`` admitted calls per key in any ``window_seconds`` span."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._admitted: dict[str, deque[float]] = {}

    def admit(self, key: str) -> int | None:
        """Admit a call (None) or return the whole seconds until the window frees a slot."""
        now = self._clock()
        times = self._admitted.setdefault(key, deque())
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return None
        return max(1, math.ceil(times[0] + self.window_seconds - now))


class Faults:
    """Per-method fault plans; ``"*"`` applies to every method without a plan of its own."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._injections: dict[str, _Injection] = {}
        self._limits: dict[str, tuple[SlidingWindow, bool]] = {}
        self._bursts: dict[str, list[float]] = {}
        self._delays: dict[str, float] = {}
        self._targeted: dict[str, list[_Targeted]] = {}

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
        """Fail a share of calls with ``status`` (an ambiguous failure acts before failing) and
        answer another share 429 with ``Retry-After: retry_after`` (not processed; a fraction of a
        second only for benchmarks that scale time: slack-sdk's own retry handler reads whole ones)."""
        rates = (error_rate, ambiguous_rate, ratelimited_rate)
        if min(rates) < 0 or sum(rates) > 1:
            raise ValueError("rates must be non-negative and add up to at most 1")
        with self._lock:
            self._injections[method] = _Injection(
                error_rate, ambiguous_rate, status, random.Random(seed), ratelimited_rate, retry_after
            )

    def rate_limit(
        self, method: str, per_minute: int = 50, window_seconds: float = 60.0, *, per_channel: bool = False
    ) -> None:
        """Answer 429 beyond ``per_minute`` calls per window and install (per channel, like chat.postMessage)."""
        with self._lock:
            self._limits[method] = (SlidingWindow(per_minute, window_seconds, self._clock), per_channel)

    def burst_429(self, method: str, count: int, retry_after: float = 1) -> None:
        """Answer the next ``count`` calls to ``method`` with 429 and ``Retry-After: retry_after``."""
        with self._lock:
            self._bursts.setdefault(method, []).extend([retry_after] * count)

    def fail_matching(
        self, method: str, matches: Callable[[dict[str, Any]], bool], *, count: int, status: int = 500
    ) -> None:
        """Fail (without acting) the next ``count`` calls to ``method`` whose params ``matches``."""
        with self._lock:
            self._targeted.setdefault(method, []).append(_Targeted(matches, count, status))

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer every call to ``method`` only after ``seconds`` (Slack is sometimes slow)."""
        if seconds < 0:
            raise ValueError("seconds must be non-negative")
        with self._lock:
            self._delays[method] = seconds

    def delay_of(self, method: str) -> float:
        """How long to wait before answering a call to ``method``."""
        with self._lock:
            return self._delays.get(method, self._delays.get(ANY_METHOD, 0.0))

    def clear(self, method: str | None = None) -> None:
        """Remove the fault plans of ``method`` (of every method when None)."""
        with self._lock:
            plans: dict[str, Any]
            for plans in (self._injections, self._limits, self._bursts, self._delays, self._targeted):
                if method is None:
                    plans.clear()
                else:
                    plans.pop(method, None)

    def judge(self, method: str, params: dict[str, Any], scope_id: str | None = None) -> Verdict | None:
        """Decide the fate of one authenticated call; None means answer it normally.

        Rate limits count per install (``scope_id``), as Slack's tiers are per app per workspace.
        """
        with self._lock:
            return (
                self._burst(method)
                or self._target(method, params)
                or self._limited(method, params, scope_id or "")
                or self._injected(method)
            )

    def _target(self, method: str, params: dict[str, Any]) -> Verdict | None:
        for plan in self._targeted.get(method, []):
            if plan.remaining > 0 and plan.matches(params):
                plan.remaining -= 1
                return Verdict("error", plan.status)
        return None

    def _burst(self, method: str) -> Verdict | None:
        for key in (method, ANY_METHOD):
            pending = self._bursts.get(key)
            if pending:
                return Verdict("ratelimited", 429, pending.pop(0))
        return None

    def _limited(self, method: str, params: dict[str, Any], scope_id: str) -> Verdict | None:
        plan = self._limits.get(method) or self._limits.get(ANY_METHOD)
        if plan is None:
            return None
        window, per_channel = plan
        key = f"{scope_id}:{method}:{params.get('channel', '')}" if per_channel else f"{scope_id}:{method}"
        wait = window.admit(key)
        return None if wait is None else Verdict("ratelimited", 429, wait)

    def _injected(self, method: str) -> Verdict | None:
        plan = self._injections.get(method) or self._injections.get(ANY_METHOD)
        if plan is None:
            return None
        roll = plan.rng.random()
        if roll < plan.error_rate:
            return Verdict("error", plan.status)
        if roll < plan.error_rate + plan.ambiguous_rate:
            return Verdict("ambiguous", plan.status)
        if roll < plan.error_rate + plan.ambiguous_rate + plan.ratelimited_rate:
            return Verdict("ratelimited", 429, plan.retry_after)
        return None


# Slack's documented tiers (calls per minute), for ``SlackEmulator.apply_slack_tiers``.
SLACK_TIERS: dict[str, int] = {
    "auth.test": 100,
    "team.info": 50,
    "team.profile.get": 100,
    "users.list": 20,
    "users.info": 100,
    "users.profile.get": 100,
    "users.lookupByEmail": 100,
    "migration.exchange": 20,
    "conversations.members": 100,
    "conversations.info": 100,
    "conversations.list": 20,
    "conversations.open": 50,
    "conversations.history": 50,
    "chat.postEphemeral": 100,
    "chat.update": 50,
    "views.open": 100,
    "views.update": 100,
    "views.push": 100,
    "views.publish": 100,
    "files.getUploadURLExternal": 20,
    "files.completeUploadExternal": 20,
    "apps.connections.open": 1,
}
