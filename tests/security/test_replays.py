"""A captured signed request replayed within Slack's 5-minute window does nothing the second time."""

from __future__ import annotations

import sqlite3
import time
import urllib.parse
from pathlib import Path

import httpx

from serendip.entrypoints.request_guard import TRY_AGAIN
from serendip_sandbox import BackgroundServer, SlackEmulator
from tests.security.conftest import sign

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _help_command(slack: SlackEmulator) -> bytes:
    person = slack.workspace.humans()[0]
    return urllib.parse.urlencode(
        {
            "command": "/coffee",
            "text": "help",
            "team_id": person.team_id,
            "user_id": person.id,
            "channel_id": "C1",
        }
    ).encode()


def test_a_replayed_signed_command_is_ignored(server: BackgroundServer, slack: SlackEmulator) -> None:
    body = _help_command(slack)
    headers = {**FORM, **sign(body)}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        first = client.post("/slack/events", content=body, headers=headers)
        replay = client.post("/slack/events", content=body, headers=headers)
    assert first.status_code == 200 and "Serendip" in first.text
    assert replay.status_code == 200 and replay.content == b""


def test_the_same_command_signed_afresh_runs_again(server: BackgroundServer, slack: SlackEmulator) -> None:
    body = _help_command(slack)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        first = client.post("/slack/events", content=body, headers={**FORM, **sign(body)})
        time.sleep(1.1)  # a new second, so a new signature, as a user typing it again gets
        again = client.post("/slack/events", content=body, headers={**FORM, **sign(body)})
    assert "Serendip" in first.text and "Serendip" in again.text


def test_when_the_replay_store_is_locked_the_user_is_asked_to_try_again_within_slacks_3_seconds(
    server: BackgroundServer, slack: SlackEmulator, tmp_path: Path
) -> None:
    lock = sqlite3.connect(tmp_path / "attack.db", timeout=0)
    lock.execute("BEGIN IMMEDIATE")  # another writer holds the database's only write lock
    try:
        body = _help_command(slack)
        started = time.monotonic()
        with httpx.Client(base_url=server.url, timeout=10) as client:
            answer = client.post("/slack/events", content=body, headers={**FORM, **sign(body)})
        waited = time.monotonic() - started
    finally:
        lock.rollback()
        lock.close()
    assert answer.status_code == 200
    assert answer.json() == {"response_type": "ephemeral", "text": TRY_AGAIN}
    assert waited < 3
