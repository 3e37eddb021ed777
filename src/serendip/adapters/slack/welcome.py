"""Welcome DMs to people enrolled in a program (posted to the user id: no conversations.open)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from serendip.adapters.db import repositories as repo
from serendip.adapters.slack.views import blocks
from serendip.services.deps import Deps
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)


def welcome_members(services: Deps, *, team_id: str, channel_id: str, user_ids: Sequence[str]) -> int:
    """DM each user the program's welcome; returns how many were sent. One failure skips one person."""
    with services.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            return 0
        found = repo.members_by_slack_ids(session, team_id, list(user_ids))
        zones = {uid: found[uid].tz if uid in found else "UTC" for uid in user_ids}
        next_run, welcome_text, program_id = program.next_run_at, program.welcome_text, program.id
        channel_name = program.channel_name
    sent = 0
    for user_id in user_ids:
        text, dm_blocks = blocks.welcome_dm(channel_id, next_run, zones[user_id], welcome_text, channel_name)
        try:
            services.gateway.post_to_user(user_id, text, dm_blocks)
            sent += 1
        except SlackCallFailed as exc:
            log.warning(
                "welcome.failed program_id=%s user=%s error=%s",
                program_id,
                user_id,
                exc.reason,
            )
    log.info("welcome.sent program_id=%s count=%d", program_id, sent)
    return sent
