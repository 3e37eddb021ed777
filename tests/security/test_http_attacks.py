"""Anyone who can reach the port, without the signing secret: every attack fails safely and quietly."""

from __future__ import annotations

import logging
import os
import socket
import time
import urllib.parse
from collections.abc import Mapping

import httpx
import pytest

from serendip.logging_setup import RedactSecrets
from serendip_sandbox import BackgroundServer
from tests.security.conftest import BODY_TIMEOUT, error_records, sign

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def post(server: BackgroundServer, body: bytes, headers: Mapping[str, str | bytes]) -> httpx.Response:
    """POST raw bytes to /slack/events."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        return client.post("/slack/events", content=body, headers=headers)


def no_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """ERROR lines (or tracebacks) logged during the test."""
    return [r.getMessage() for r in error_records(caplog)]


def test_unsigned_malformed_json_gets_401_and_no_error_log(
    server: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(20):
        assert post(server, b"{bad", JSON).status_code == 401
    assert no_errors(caplog) == []


def test_unsigned_malformed_form_payload_gets_401_and_no_error_log(
    server: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert post(server, b"payload=%7Bbad", FORM).status_code == 401
    assert no_errors(caplog) == []


def test_a_non_numeric_timestamp_gets_401_and_no_line_built_from_the_body(
    server: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = urllib.parse.urlencode({"command": "/coffee", "user_id": "U1\nERROR forged", "text": "x"})
    for stamp in (b"abc", "²".encode(), b"", b"-1", b"1" * 400):
        headers: dict[str, str | bytes] = {
            **FORM,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": "v0=00",
        }
        assert post(server, body.encode(), headers).status_code == 401
    assert no_errors(caplog) == []
    assert not any("forged" in r.getMessage() for r in caplog.records)


def test_a_correct_signature_with_a_stale_timestamp_is_a_replay_and_gets_401(
    server: BackgroundServer,
) -> None:
    body = b"command=%2Fcoffee&text=help&user_id=U1&team_id=T1"
    stale = str(int(time.time()) - 6 * 60)
    assert post(server, body, {**FORM, **sign(body, timestamp=stale)}).status_code == 401


def test_a_signature_made_with_another_secret_gets_401(server: BackgroundServer) -> None:
    body = b"command=%2Fcoffee&text=help&user_id=U1&team_id=T1"
    assert post(server, body, {**FORM, **sign(body, secret="not-the-secret")}).status_code == 401


@pytest.mark.parametrize(
    "body",
    [b"payload=%7Bbad", b"payload=%5B1%5D", b"payload=", b"{bad", b"[1, 2]", b"\xff\xfe"],
    ids=["broken-json-payload", "list-payload", "empty-payload", "broken-json", "json-list", "not-utf8"],
)
def test_a_signed_but_malformed_body_gets_a_4xx_not_a_500(
    server: BackgroundServer, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    content_type = JSON if body[:1] in (b"{", b"[") else FORM
    response = post(server, body, {**content_type, **sign(body)})
    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert no_errors(caplog) == []


def test_a_declared_oversized_body_is_refused_before_it_is_read(server: BackgroundServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 300000000\r\n"
            b"Content-Type: application/json\r\n\r\n"
        )
        reply = conn.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


def _chunked_flood(server: BackgroundServer, megabytes: int) -> tuple[bytes, int]:
    """Send a chunked body of `megabytes` MB; the server's first reply bytes and how much got through."""
    chunk = b"x" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with socket.create_connection((server.host, server.port), timeout=5) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n"
        )
        try:
            while sent < megabytes * 1024 * 1024:
                conn.sendall(frame)
                sent += len(chunk)
        except OSError:  # the server closed the connection: it stopped reading, as it should
            pass
        conn.settimeout(5)
        try:
            reply = conn.recv(4096)
        except OSError:
            reply = b""
    return reply, sent


def test_a_chunked_body_past_the_limit_is_refused_and_not_read_to_the_end(server: BackgroundServer) -> None:
    reply, sent = _chunked_flood(server, 64)
    assert sent < 64 * 1024 * 1024, "the server read a 64 MB body it should have refused at 1 MB"
    assert reply == b"" or reply.startswith(b"HTTP/1.1 413")


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads memory from /proc (Linux)")
def test_four_unsigned_300_mb_bodies_leave_memory_within_50_mb(server: BackgroundServer) -> None:
    before = _rss_mb()
    for _ in range(4):
        _chunked_flood(server, 300)
    assert _rss_mb() - before < 50


def test_a_slow_partial_body_is_dropped_after_the_read_timeout(server: BackgroundServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
            b'Content-Type: application/json\r\n\r\n{"a":'
        )
        started = time.monotonic()
        reply = conn.recv(4096)
        waited = time.monotonic() - started
        assert reply.startswith(b"HTTP/1.1 408")
        assert BODY_TIMEOUT * 0.8 <= waited < BODY_TIMEOUT + 5
        rest = b""
        try:
            while chunk := conn.recv(4096):
                rest += chunk
        except OSError:
            pass
    # recv returned b"": the server closed the idle connection instead of keeping it open


def test_a_control_character_in_a_logged_value_cannot_forge_a_log_line() -> None:
    record = logging.LogRecord(
        "serendip.test", logging.WARNING, __file__, 1, "command.failed user=%s", ("U1\nERROR forged",), None
    )
    assert RedactSecrets().filter(record)
    message = record.getMessage()
    assert "\n" not in message
    assert message == "command.failed user=U1\\nERROR forged"
