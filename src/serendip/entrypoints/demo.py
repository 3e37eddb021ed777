"""`serendip demo`: the whole bot against the built-in sandbox workspace, end to end, in seconds."""

from __future__ import annotations

import random
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.coffee.router import WORKING
from serendip.adapters.slack.views.intro_blocks import INTRO_EVENT_TYPE
from serendip.entrypoints.demo_circles import print_circles, print_season
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip.entrypoints.request_guard import TRY_AGAIN
from serendip.services import directory_sync
from serendip.services.lifecycle import close, deliver, plan
from serendip_sandbox import SlackDriver, SlackEmulator, generate_workspace

TOPICS = (
    "python",
    "kubernetes",
    "hiring",
    "design systems",
    "pricing",
    "sql",
    "negotiation",
    "onboarding",
    "public speaking",
    "machine learning",
    "accessibility",
    "budgeting",
    "go",
    "customer interviews",
)
# How many sandbox people send their /coffee tags at once.
TAGGING_AT_ONCE = 8


@dataclass
class DemoResult:
    """What the demo did, for the summary and for tests."""

    enrolled: int
    intros: list[dict[str, Any]]
    quality: dict[str, float]
    seconds: float
    unplaced: int = 0  # circles: people the season left out


def run_demo(
    console: Console, *, people: int = 40, departments: int = 6, seed: int = 0, circles: bool = False
) -> DemoResult:
    """Start the emulator and the real bot, sign people up via /coffee, run a round, show the intros;
    with `circles`, make the program a circles program and form a season instead."""
    started = time.monotonic()
    workspace = generate_workspace(people, departments, seed)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="serendip-demo-") as tmp, SlackEmulator(workspace) as slack:
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=f"sqlite:///{Path(tmp) / 'demo.db'}",
        )
        with LocalBot(settings) as bot:
            console.print(
                f"[bold]Sandbox workspace[/] {workspace.team.name}: {people} people in {departments} "
                f"departments; bot serving at {bot.events_url}"
            )
            # The sandbox's people act as people do: send a command again when the bot asks them to,
            # and wait for the answer when it says it is working on it (a slow machine).
            driver = SlackDriver(
                bot.events_url, slack.signing_secret, slack, try_again=TRY_AGAIN, working=WORKING
            )
            channel = workspace.channel_named("coffee-chats").id
            humans = [u for u in workspace.humans() if not u.deleted and not u.is_restricted]
            admin = humans[0].id
            driver.slash_command(admin, "admin setup", channel_id=channel).wait_for_responses(1, timeout=30)
            console.print(f"{humans[0].real_name} ran [cyan]/coffee admin setup[/] in #coffee-chats")
            team_id = workspace.team.id
            directory_sync.sync_directory(
                bot.container.db, bot.container.gateway, team_id=team_id, label=settings.department_field
            )
            picks = {user.id: rng.sample(TOPICS, 4) for user in humans}

            def tag(user_id: str) -> None:
                topics = picks[user_id]
                driver.slash_command(user_id, f"expertise add {topics[0]}, {topics[1]}", channel_id=channel)
                driver.slash_command(user_id, f"interests add {topics[2]}, {topics[3]}", channel_id=channel)

            # People tag at the same time, as in a real workspace (one after another took 5 s).
            with ThreadPoolExecutor(TAGGING_AT_ONCE) as pool:
                list(pool.map(tag, picks))
            driver.slash_command(humans[1].id, "pause 2w", channel_id=channel)
            driver.slash_command(humans[2].id, "skip", channel_id=channel)
            console.print(
                f"{len(humans)} people tagged what they know and want to learn via [cyan]/coffee[/]; "
                f"one paused for two weeks, one skips this {'season' if circles else 'round'}"
            )
            if circles:
                changed = driver.slash_command(admin, "admin set kind circles", channel_id=channel)
                assert "circles" in changed.text, "the program did not become a circles program"
                console.print("The admin made it a circles program: [cyan]/coffee admin set kind circles[/]")
            with bot.container.db.transaction() as session:
                program = repo.find_program(session, team_id, channel)
                assert program is not None, "admin setup did not create the program"
                program_id = program.id
            planned = plan.plan_round(
                bot.container.db, program_id=program_id, scheduled_for=utcnow(), seed=seed
            )
            assert planned is not None
            publisher = bot.container.publisher
            deliver.deliver_pending(bot.container.db, publisher, deliver.DeliveryPolicy())
            summary = close.summarise(bot.container.db, planned.round_id)
            intros = _posted_intros(slack)
            if circles:
                print_circles(console, intros, workspace)
            else:
                _print_intros(console, intros, workspace)
    if circles:
        print_season(console, summary)
        unplaced = int(summary.quality.get("unplaced", 0))
        return DemoResult(summary.eligible, intros, summary.quality, time.monotonic() - started, unplaced)
    console.print(
        f"Round: {summary.delivered} intros delivered, {len(summary.failed)} failed; cross-team rate "
        f"{summary.quality.get('cross_team_rate', 0):.0%} (best possible {summary.quality.get('cross_team_bound', 0):.0%})."
    )
    return DemoResult(summary.eligible, intros, summary.quality, time.monotonic() - started)


def _posted_intros(slack: SlackEmulator) -> list[dict[str, Any]]:
    intros = []
    for conversation in slack.group_dms():
        for message in slack.messages(conversation.id):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == INTRO_EVENT_TYPE:
                intros.append(
                    {
                        "conversation": conversation.id,
                        "members": list(conversation.members),
                        "intro_id": metadata["event_payload"]["intro_id"],
                        "blocks": message.get("blocks"),
                    }
                )
    return sorted(intros, key=lambda i: i["intro_id"])


def _print_intros(console: Console, intros: list[dict[str, Any]], workspace: Any) -> None:
    table = Table(title=f"Intros posted to Slack ({len(intros)})", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("People (department)")
    table.add_column("Cross-team")
    table.add_column("Common ground")
    for intro in intros:
        people = [workspace.user(uid) for uid in intro["members"] if uid != workspace.bot.id]
        depts = [workspace.department_of(p.id) or "?" for p in people]
        names = ", ".join(f"{p.real_name} ({d})" for p, d in zip(people, depts, strict=True))
        common = _common_ground(intro["blocks"] or [], workspace)
        table.add_row(str(intro["intro_id"]), names, "yes" if len(set(depts)) > 1 else "no", common)
    console.print(table)


def _common_ground(blocks: list[dict[str, Any]], workspace: Any) -> str:
    for block in blocks:
        text = str((block.get("text") or {}).get("text", ""))
        if text.startswith("You share") or "wants to learn" in text:
            readable = re.sub(r"<@(\w+)>", lambda m: workspace.user(m.group(1)).real_name.split()[0], text)
            return readable.replace("`", "")[:90]
    return "-"
