"""Read a Slack request body safely: bounded in size and time, and verified before it is parsed."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
# Slack sends a few kilobytes at once; a body still arriving after this is a slow-loris client.
BODY_READ_TIMEOUT_SECONDS = 10.0
# How long the replay check may wait for the database before the request is refused.
REPLAY_CHECK_SECONDS = 1.0
# The replay check's own threads: in Starlette's shared pool it queued behind the commands being
# dispatched, so a burst of 50 commands ran out its 1 s budget waiting for a thread, not the database.
_REPLAY_CHECKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="serendip-replay-check")
TRY_AGAIN = ":hourglass: Serendip is busy right now and did nothing. Please try again in a moment."

# Records a signature hash; False when it was seen before (`adapters.db.replay_store.accept_once`).
AcceptOnce = Callable[[str], bool]


def _is_number(text: str) -> bool:
    # str.isdigit alone accepts "²", which int() then refuses.
    return text.isascii() and text.isdigit()


def _refuse(status: int, error: str) -> Response:
    # Closing the connection stops a client that keeps sending after the refusal.
    return JSONResponse({"error": error}, status_code=status, headers={"Connection": "close"})


async def read_body(request: Request, *, timeout: float) -> bytes | Response:
    """The body, read chunk by chunk and abandoned past MAX_BODY_BYTES or `timeout` seconds."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not _is_number(declared):
            return _refuse(400, "malformed content-length")
        if int(declared) > MAX_BODY_BYTES:
            return _refuse(413, "request too large")
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    return _refuse(413, "request too large")
    except TimeoutError:
        return _refuse(408, "request body too slow")
    return bytes(body)


def is_signed_by_slack(secret: str, body: str, timestamp: str | None, signature: str | None) -> bool:
    """Slack's v0 signature over the raw body, with the 5-minute timestamp window."""
    # Ten digits covers epoch seconds until the year 2286; longer overflows the verifier's float maths.
    if not timestamp or not signature or not _is_number(timestamp) or len(timestamp) > 10:
        return False
    return SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature)


async def read_verified_body(request: Request, secret: str, *, timeout: float) -> str | Response:
    """The body as text once it is within limits and signed by Slack; otherwise the refusal to send."""
    body = await read_body(request, timeout=timeout)
    if isinstance(body, Response):
        return body
    try:
        text = body.decode("utf-8")  # Slack only sends UTF-8 (and the verifier decodes it too)
    except UnicodeDecodeError:
        return _refuse(400, "body is not UTF-8")
    headers = request.headers
    if not is_signed_by_slack(
        secret, text, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    ):
        # Nothing of an unverified request is logged: its fields are the attacker's to choose.
        return _refuse(401, "invalid signature")
    return text


async def refuse_replay(text: str, signature: str, accept_once: AcceptOnce) -> Response | None:
    """None for a first sighting of this signed request; otherwise the answer to send instead.

    A replay gets an empty 200 (Slack's own retries carry fresh signatures, so only a captured copy
    repeats one). When the store cannot be written within a second nothing runs: a slash command
    gets an ephemeral "try again", anything else a 503 so Slack retries it.
    """
    digest = hashlib.sha256(signature.encode()).hexdigest()
    try:
        loop = asyncio.get_running_loop()
        check = loop.run_in_executor(_REPLAY_CHECKS, accept_once, digest)
        first = await asyncio.wait_for(check, REPLAY_CHECK_SECONDS)
    except Exception as exc:  # a timeout or a database error: refuse rather than risk running twice
        log.warning("http.replay_check_failed error=%s", type(exc).__name__)
        if "command" in parse_qs(text):
            return JSONResponse({"response_type": "ephemeral", "text": TRY_AGAIN})
        return JSONResponse({"error": "try again"}, status_code=503)
    if first:
        return None
    log.warning("http.replay_ignored")
    return Response(status_code=200)
