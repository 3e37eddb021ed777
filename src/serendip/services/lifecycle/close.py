"""Closing a delivered round: mark it done, post its summary and notes once, and set the follow-up.

Also the notes planning leaves behind (members paused by the ghost rule, admins of a held round).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import IntroState, RoundState
from serendip.domain.mentions import channel_mention
from serendip.domain.plural import plural
from serendip.services.lifecycle.results import PlannedRound, RoundSummary
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

T = TypeVar("T")


def summarise(db: Database, round_id: int) -> RoundSummary:
    """The round's figures from what is stored (so any worker can close it)."""
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        program = session.get(Program, round_.program_id)
        assert program is not None
        quality = dict(round_.quality or {})
        results = store.intro_results(session, round_id)
        return RoundSummary(
            round_id,
            program.id,
            program.channel_id,
            eligible=int(quality.get("eligible", 0)),
            groups=len(results),
            delivered=sum(state == IntroState.POSTED for _, state, _ in results),
            failed={i: reason or "unknown" for i, state, reason in results if state == IntroState.FAILED},
            sat_out=dict(quality.get("sat_out") or {}),
            lone=quality.get("lone"),
            quality={
                k: v for k, v in quality.items() if isinstance(v, int | float) and not isinstance(v, bool)
            },
            admins=repo.program_admin_ids(session, program.id),
            channel_name=program.channel_name,
            season=round_.season_ends_at is not None,
        )


def finish_round(db: Database, publisher: IntroPublisher, *, round_id: int, owner: str) -> bool:
    """Mark a fully delivered round done, then post its summary and notes at most once."""
    with db.transaction() as session:
        round_ = store.lock_round(session, round_id)
        if round_.state != RoundState.DELIVERING:
            return True
        if round_.lease_owner != owner or store.has_open_intros(session, round_id):
            return False
        program = session.get(Program, round_.program_id)
        assert program is not None
        now = utcnow()
        round_.state, round_.finished_at, round_.lease_owner = RoundState.DONE, now, None
        if round_.season_ends_at is not None:
            # A season's circles are nudged at each meeting, never followed up (nor counted by the
            # ghost rule, which reads followed-up rounds only).
            round_.followup_due_at = None
        elif program.followup_enabled and program.next_run_at is not None and program.next_run_at > now:
            round_.followup_due_at = round_.scheduled_for + (program.next_run_at - round_.scheduled_for) / 2
        else:
            round_.followup_done = True
        # Summaries and notes cannot be confirmed in channel history (no channels:history scope):
        # marking the send started, in the same transaction that ends the round, makes them
        # at-most-once (a crash mid-send loses them rather than posting them twice).
        round_.summary_started_at = now
    summary = summarise(db, round_id)
    _notify(db, publisher, summary)
    log.info(
        "round.done program_id=%s round_id=%s delivered=%d failed=%d",
        summary.program_id,
        round_id,
        summary.delivered,
        len(summary.failed),
    )
    return True


SAT_OUT_NOTE = (
    "There was no group Serendip could put you in this round in {channel}: some combinations are "
    "never made, such as someone with their own manager, and this time that left no fit for you. "
    "Nothing for you to do; you're in the next round as usual."
)


def _notify(db: Database, publisher: IntroPublisher, summary: RoundSummary) -> None:
    notes = {}
    channel = channel_mention(summary.channel_id, summary.channel_name)
    if summary.lone:
        notes[summary.lone] = f"There was nobody else to meet in {channel} this round. See you next time!"
    # The matcher's reason (which may mention blocks) stays with the admins: the note blames nobody.
    for slack_id in summary.sat_out:
        notes[slack_id] = SAT_OUT_NOTE.format(channel=channel)
    for slack_id, text in notes.items():
        _try(partial(publisher.tell_member, slack_id, text), "note", summary.round_id)
    ts = _try(partial(publisher.post_round_summary, summary.channel_id, summary), "summary", summary.round_id)
    if ts is not None:
        with db.transaction() as session:
            store.record_summary_ts(session, summary.round_id, ts)
    if summary.failed:
        text = failure_details(summary)
        for slack_id in summary.admins:
            _try(partial(publisher.tell_member, slack_id, text), "failure_note", summary.round_id)


def failure_details(summary: RoundSummary) -> str:
    """The admins' DM about undelivered intros, with Slack's own error codes for troubleshooting."""
    codes = "\n".join(f"• intro {intro_id}: `{code}`" for intro_id, code in sorted(summary.failed.items()))
    return (
        f":warning: {plural(len(summary.failed), 'intro')} of round {summary.round_id} in "
        f"{channel_mention(summary.channel_id, summary.channel_name)} could not be delivered. "
        f"What Slack said:\n{codes}"
    )


def tell_ghosts(
    publisher: IntroPublisher,
    *,
    channel_id: str,
    ghosts: Sequence[str],
    round_id: int,
    channel_name: str = "",
) -> None:
    """DM members paused by the ghost rule how to come back."""
    text = (
        f"We haven't heard back about your last three intros in {channel_mention(channel_id, channel_name)}, so we've paused you there. "
        "Whenever you'd like new intros again, type `/coffee resume`."
    )
    for slack_id in ghosts:
        _try(partial(publisher.tell_member, slack_id, text), "ghost_note", round_id)


def tell_admins_held(
    publisher: IntroPublisher,
    *,
    channel_id: str,
    admins: Sequence[str],
    planned: PlannedRound,
    channel_name: str = "",
) -> None:
    """DM each of the program's admins, once, that a round was held back by the round checker."""
    what = "season" if planned.season else "round"
    text = (
        f":warning: The {what} of {channel_mention(channel_id, channel_name)} was held back: before anything was sent, Serendip's "
        f"independent check found it would break a matching rule. "
        f"Nobody was introduced this time and the next {what} runs on schedule. "
        f"This is a bug in Serendip, not in your settings; the server log has the details "
        f"(round {planned.round_id}, seed {planned.seed})."
    )
    for slack_id in admins:
        _try(partial(publisher.tell_member, slack_id, text), "held_note", planned.round_id)


def _try(send: Callable[[], T], what: str, round_id: int) -> T | None:
    try:
        return send()
    except Exception as exc:  # a failed note never fails the round
        log.warning("round.%s_failed round_id=%s error=%s", what, round_id, type(exc).__name__)
        return None
