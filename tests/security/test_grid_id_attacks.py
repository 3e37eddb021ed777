"""Signed payloads of an org-wide (Enterprise Grid) install carrying a person's local and org-wide
ids (commands, joins, leaves, Home) and hostile ids (form submissions, picked people, inviters),
while Slack's `migration.exchange` fails or rate-limits some calls: never a 5xx, an ERROR line or a
traceback, and nothing stored under a local or unknown id."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import select

from serendip.adapters.db.models import Member
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip_sandbox import SlackDriver, SlackEmulator
from serendip_sandbox.driver import sign
from serendip_sandbox.grid import generate_grid_org, give_local_id
from tests.security import fuzz_payloads as fuzz
from tests.security.conftest import LoggedErrors
from tests.support.drivers import person_driver

FORM = "application/x-www-form-urlencoded"


def _ids(rng: random.Random, local: str, person: str) -> str:
    return rng.choice(
        [
            local,
            person,
            "U0NOBODY00",
            "USLACKBOT",
            f"{local},{person}",
            "U" * 600,
            "W0NOBODY00",
            "U\u4e2d\u00e9",
        ]
    )


def _bodies(driver: SlackDriver, rng: random.Random, local: str, person: str, channel: str) -> list[str]:
    bodies = []
    for _ in range(60):
        form = driver.payloads.slash_command(local, "", channel_id=channel, command="/coffee")
        form["user_id"] = rng.choice([local, person])  # Slack signs commands of real people only
        bodies.append(urlencode(form))
    view = {"id": "V0FORGED00", "callback_id": "profile_modal", "blocks": [], "type": "modal"}
    for _ in range(60):
        payload: dict[str, Any] = driver.payloads.view_submission(local, view)
        payload["view"]["state"] = {"values": fuzz.profile_state(rng)}
        payload["view"]["state"]["values"]["blocked"]["blocked"]["selected_users"] = [
            _ids(rng, local, person) for _ in range(rng.randint(0, 3))
        ]
        payload["user"]["id"] = _ids(rng, local, person)
        bodies.append(urlencode({"payload": json.dumps(fuzz.mutate(payload, rng))}))
    for _ in range(60):
        kind = rng.choice(["member_joined_channel", "member_left_channel", "app_home_opened"])
        event: dict[str, Any] = {"type": kind, "user": rng.choice([local, person]), "channel": channel}
        if rng.random() < 0.5:
            event["inviter"] = rng.choice([_ids(rng, local, person), fuzz.hostile(rng)])
        bodies.append(json.dumps(driver.payloads.event_callback(event)))
    return bodies


def _post_all(url: str, secret: str, bodies: list[str]) -> list[tuple[int, str]]:
    failed = []
    with httpx.Client(timeout=20) as client:
        for body in bodies:
            stamp = int(time.time())
            content_type = "application/json" if body.startswith("{") else FORM
            headers = {
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(stamp),
                "X-Slack-Signature": sign(secret, stamp, body),
            }
            answer = client.post(url, content=body.encode(), headers=headers)
            if answer.status_code >= 500:
                failed.append((answer.status_code, body[:200]))
    return failed


def test_hostile_person_ids_in_org_wide_payloads_get_no_5xx_no_error_and_no_local_id_stored(
    tmp_path: Path, logged_errors: LoggedErrors
) -> None:
    org = generate_grid_org(people_per_team=6, departments=2, seed=12, in_both=1)
    assert org.enterprise is not None
    channel = org.channel_named("coffee-chats").id
    team = org.teams[0].id
    person = next(u.id for u in org.humans() if u.teams == [team] and not u.is_admin)
    admin = next(u.id for u in org.humans() if u.is_admin and not u.is_restricted)
    local = give_local_id(org, person, team)
    with SlackEmulator(org) as slack:
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=f"sqlite:///{tmp_path / 'grid.db'}",
        )
        with LocalBot(settings) as bot, person_driver(bot.events_url, slack) as driver:
            driver.slash_command(admin, "admin setup", channel_id=channel).wait_for_responses(1, 30)
            slack.inject("migration.exchange", error_rate=0.3, ratelimited_rate=0.2, seed=4)
            bodies = _bodies(driver, random.Random(21), local, person, channel)
            assert _post_all(bot.events_url, slack.signing_secret, bodies) == []
            exchanges = slack.calls.all("migration.exchange")
            assert any(not c.ok for c in exchanges) and any(c.ok for c in exchanges)
            with bot.container.db.transaction() as session:
                stored = set(session.scalars(select(Member.slack_id)).all())
    assert local not in stored and "U0NOBODY00" not in stored
    assert logged_errors() == []
