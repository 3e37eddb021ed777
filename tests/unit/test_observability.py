"""Metric names and labels, the scheduler heartbeat behind /healthz, and JSON log lines."""

from __future__ import annotations

import io
import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from serendip.logging_setup import configure_logging
from serendip.observability import metrics
from serendip.observability.health import Heartbeat, check_health


def _families() -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}


def test_every_metric_name_starts_with_serendip() -> None:
    names = set(_families())
    assert names and all(name.startswith("serendip_") for name in names)
    for wanted in (
        "serendip_intros_delivered",
        "serendip_intros_failed",
        "serendip_rounds_planned",
        "serendip_rounds_skipped",
        "serendip_slack_rate_limited",
        "serendip_delivery_lag_seconds",
        "serendip_lease_takeovers",
        "serendip_command_ack_seconds",
        "serendip_directory_sync_done",
        "serendip_directory_sync_total",
    ):
        assert wanted in names


def test_label_values_that_are_not_codes_are_reported_as_other() -> None:
    metrics.intro_failed("U0123 said\nsomething")
    metrics.slack_rate_limited("chat.postMessage")
    text = metrics.exposition().decode()
    assert 'serendip_intros_failed_total{reason="other"}' in text
    assert 'serendip_slack_rate_limited_total{method="chat.postMessage"}' in text
    assert "U0123" not in text


def test_a_heartbeat_goes_stale_without_ticks_but_not_during_a_long_tick() -> None:
    now = [1000.0]
    beat = Heartbeat(stale_after_seconds=60, clock=lambda: now[0])
    assert beat.is_alive()
    now[0] += 61
    assert not beat.is_alive()
    beat.started()
    now[0] += 3600  # delivering a large round
    assert beat.is_alive()
    beat.finished()
    now[0] += 30
    assert beat.is_alive()
    now[0] += 31
    assert not beat.is_alive()


def test_health_is_503_for_the_database_first_then_for_the_scheduler() -> None:
    now = [0.0]
    beat = Heartbeat(stale_after_seconds=1, clock=lambda: now[0])
    assert check_health(lambda: True, beat).status == 200
    assert check_health(lambda: True, None).body == {"status": "ok"}
    assert check_health(lambda: False, beat).body["reason"] == "database unreachable"
    now[0] = 5
    assert check_health(lambda: True, beat).body == {
        "status": "unavailable",
        "reason": "scheduler stopped ticking",
    }


def test_json_log_format_writes_one_object_per_line_without_tokens() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    log = logging.getLogger("serendip.test")
    log.info("event.x token=%s note=%s", "xoxb-123-abc", "a\nb")
    try:
        raise ValueError("xoxp-999-secret")
    except ValueError:
        log.exception("event.failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "event.x token=xoxb-[redacted] note=a\\nb"
    assert first["level"] == "INFO" and first["logger"] == "serendip.test"
    assert "xoxp-999" not in lines[1] and "ValueError" in second["exc"]
    configure_logging("INFO")
