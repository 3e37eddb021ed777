"""Welcome DMs to people enrolled in a program (posted to the user id: no conversations.open)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from functools import partial

from serendip.adapters.db import repositories as repo
from serendip.services.deps import Deps
from serendip.services.slack_errors import RateLimited, SlackCallFailed

log = logging.getLogger(__name__)

# The publisher makes one attempt per call; a welcome waits out 429s as the retrying client did.
RATE_LIMIT_RETRIES = 5


def welcome_members(deps: Deps, *, team_id: str, channel_id: str, user_ids: Sequence[str]) -> int:
    """DM each user the program's welcome; returns how many were sent. One failure skips one person."""
    with deps.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            return 0
        found = repo.members_by_slack_ids(session, team_id, list(user_ids))
        zones = {uid: found[uid].tz if uid in found else "UTC" for uid in user_ids}
        next_run, welcome_text, program_id = program.next_run_at, program.welcome_text, program.id
        channel_name, circles = program.channel_name, program.kind == "circles"
    sent = 0
    for user_id in user_ids:
        try:
            _patiently(
                partial(
                    deps.publisher.welcome,
                    user_id,
                    channel_id,
                    next_round=next_run,
                    tz=zones[user_id],
                    welcome_text=welcome_text,
                    channel_name=channel_name,
                    circles=circles,
                )
            )
            sent += 1
        except SlackCallFailed as exc:
            log.warning("welcome.failed program_id=%s user=%s error=%s", program_id, user_id, exc.reason)
    log.info("welcome.sent program_id=%s count=%d", program_id, sent)
    return sent


def _patiently(call: Callable[[], None], sleep: Callable[[float], None] = time.sleep) -> None:
    """Run a Slack call, waiting out up to RATE_LIMIT_RETRIES 429s (a 429 was never processed)."""
    for attempt in range(RATE_LIMIT_RETRIES + 1):
        try:
            call()
            return
        except RateLimited as exc:
            if attempt == RATE_LIMIT_RETRIES:
                raise
            sleep(exc.retry_after)
