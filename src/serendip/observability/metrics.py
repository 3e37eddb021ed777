"""Prometheus metrics: the objects, and one small typed function per thing worth counting.

Code that records calls a function here (`intro_delivered()`, `slack_rate_limited(method)`, ...)
and never touches `prometheus_client` itself, so names, labels and buckets live in one place.
Labels carry bounded vocabularies only (error codes, Slack method names): never a user, channel
or team id, nor a name. Work done in a child process is returned to the parent and counted there,
so one in-process registry is enough (no multiprocess directory).
"""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

_INTROS_DELIVERED = Counter(
    "serendip_intros_delivered", "Intros posted to their group DM.", registry=REGISTRY
)
_INTROS_FAILED = Counter(
    "serendip_intros_failed",
    "Intros given up on, by reason (a Slack error code).",
    ["reason"],
    registry=REGISTRY,
)
_ROUNDS_PLANNED = Counter("serendip_rounds_planned", "Rounds matched, checked and stored.", registry=REGISTRY)
_ROUNDS_SKIPPED = Counter(
    "serendip_rounds_skipped", "Rounds not run, by reason (late, held, ...).", ["reason"], registry=REGISTRY
)
_SLACK_RATE_LIMITED = Counter(
    "serendip_slack_rate_limited",
    "HTTP 429 answers from the Slack Web API, by method.",
    ["method"],
    registry=REGISTRY,
)
_DELIVERY_LAG = Histogram(
    "serendip_delivery_lag_seconds",
    "From a round's scheduled time to one of its intros being posted.",
    buckets=(1, 5, 15, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600),
    registry=REGISTRY,
)
_LEASE_TAKEOVERS = Counter(
    "serendip_lease_takeovers",
    "Rounds whose delivery lease was taken over from a silent worker.",
    registry=REGISTRY,
)
_ACK_SECONDS = Histogram(
    "serendip_command_ack_seconds",
    "From a /coffee command reaching the router to its ack (Slack gives up after 3 s).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0),
    registry=REGISTRY,
)
_SYNC_DONE = Gauge(
    "serendip_directory_sync_done", "Users read by the directory sync in progress.", registry=REGISTRY
)
_SYNC_TOTAL = Gauge(
    "serendip_directory_sync_total",
    "Users the directory sync in progress expects to read.",
    registry=REGISTRY,
)
_LAST_TICK = Gauge(
    "serendip_scheduler_last_tick_timestamp_seconds",
    "When this process's scheduler last ticked.",
    registry=REGISTRY,
)
_PURGED = Counter(
    "serendip_retention_purged_rows",
    "Rows purged for being older than the retention period.",
    ["table"],
    registry=REGISTRY,
)

# A label value is a code, not free text: anything else is reported as "other".
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def _label(value: str) -> str:
    return value if _CODE.match(value) else "other"


def intro_delivered() -> None:
    """One intro was posted."""
    _INTROS_DELIVERED.inc()


def intro_failed(reason: str) -> None:
    """One intro was given up on, for ``reason`` (a Slack error code)."""
    _INTROS_FAILED.labels(reason=_label(reason)).inc()


def round_planned() -> None:
    """One round was matched, checked and stored."""
    _ROUNDS_PLANNED.inc()


def round_skipped(reason: str) -> None:
    """One round was not run (``late``, ``held``, ...)."""
    _ROUNDS_SKIPPED.labels(reason=_label(reason)).inc()


def slack_rate_limited(method: str) -> None:
    """Slack answered a Web API call to ``method`` (e.g. chat.postMessage) with 429."""
    _SLACK_RATE_LIMITED.labels(method=_label(method)).inc()


def delivery_lag(seconds: float) -> None:
    """An intro was posted ``seconds`` after its round's scheduled time."""
    _DELIVERY_LAG.observe(max(0.0, seconds))


def lease_takeover() -> None:
    """This worker took over a round whose lease had expired."""
    _LEASE_TAKEOVERS.inc()


def command_acked(seconds: float) -> None:
    """A /coffee command was acked ``seconds`` after it reached the router."""
    _ACK_SECONDS.observe(max(0.0, seconds))


def directory_sync_progress(done: int, total: int) -> None:
    """The directory sync has read ``done`` of ``total`` users."""
    _SYNC_DONE.set(done)
    _SYNC_TOTAL.set(total)


def scheduler_ticked(timestamp: float) -> None:
    """The scheduler finished a tick at ``timestamp`` (epoch seconds)."""
    _LAST_TICK.set(timestamp)


def rows_purged(table: str, rows: int) -> None:
    """``rows`` rows of ``table`` were purged by retention."""
    _PURGED.labels(table=_label(table)).inc(rows)


def exposition() -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)
