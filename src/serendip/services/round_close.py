"""Closing a delivered round: the summary, notes to those left out, and when to follow up."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy import select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import INTRO_FINAL, IntroState, RoundState
from serendip.domain.mentions import channel_mention
from serendip.domain.plural import plural
from serendip.services.ports import IntroPublisher
from serendip.services.rounds import PlannedRound, RoundSummary

log = logging.getLogger(__name__)


def summarise(db: Database, round_id: int) -> RoundSummary:
    """The round's figures from what is stored (so any worker can close it)."""
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        program = session.get(Program, round_.program_id)
        assert program is not None
        quality = dict(round_.quality or {})
        summary = RoundSummary(
            round_id, program.id, program.channel_id, eligible=int(quality.get("eligible", 0))
        )
        summary.lone, summary.sat_out = quality.get("lone"), dict(quality.get("sat_out") or {})
        summary.channel_name = program.channel_name
        summary.admins = repo.program_admin_ids(session, program.id)
        summary.quality = {
            k: v for k, v in quality.items() if isinstance(v, int | float) and not isinstance(v, bool)
        }
        for intro_id, state, reason in session.execute(
            select(Intro.id, Intro.state, Intro.failure_reason).where(Intro.round_id == round_id)
        ):
            summary.groups += 1
            summary.delivered += state == IntroState.POSTED
            if state == IntroState.FAILED:
                summary.failed[intro_id] = reason or "unknown"
        return summary


def finish_round(db: Database, publisher: IntroPublisher, *, round_id: int, owner: str) -> bool:
    """Mark a fully delivered round done, then post its summary and notes at most once."""
    with db.transaction() as session:
        query = select(Round).where(Round.id == round_id)
        if db.dialect == "postgresql":
            query = query.with_for_update()
        round_ = session.scalars(query).one()
        if round_.state != RoundState.DELIVERING:
            return True
        if round_.lease_owner != owner:
            return False
        open_intros = session.scalar(
            select(Intro.id).where(Intro.round_id == round_id, Intro.state.not_in(INTRO_FINAL)).limit(1)
        )
        if open_intros is not None:
            return False
        program = session.get(Program, round_.program_id)
        assert program is not None
        now = utcnow()
        round_.state, round_.finished_at, round_.lease_owner = RoundState.DONE, now, None
        if program.followup_enabled and program.next_run_at is not None and program.next_run_at > now:
            round_.followup_due_at = round_.scheduled_for + (program.next_run_at - round_.scheduled_for) / 2
        else:
            round_.followup_done = True
        # Summaries and notes cannot be confirmed in channel history (no channels:history scope):
        # marking them first makes them at-most-once, which beats posting twice.
        round_.summary_ts = "sending"
    summary = summarise(db, round_id)
    _notify(publisher, summary)
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


def _notify(publisher: IntroPublisher, summary: RoundSummary) -> None:
    notes = {}
    channel = channel_mention(summary.channel_id, summary.channel_name)
    if summary.lone:
        notes[summary.lone] = f"There was nobody else to meet in {channel} this round. See you next time!"
    # The matcher's reason (which may mention blocks) stays with the admins: the note blames nobody.
    for slack_id in summary.sat_out:
        notes[slack_id] = SAT_OUT_NOTE.format(channel=channel)
    for slack_id, text in notes.items():
        _try(partial(publisher.tell_member, slack_id, text), "note", summary.round_id)
    _try(partial(publisher.post_round_summary, summary.channel_id, summary), "summary", summary.round_id)
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
    text = (
        f":warning: The round of {channel_mention(channel_id, channel_name)} was held back: before anything was sent, Serendip's "
        f"independent check found it would break a matching rule. "
        "Nobody was introduced this time and the next round runs on schedule. "
        f"This is a bug in Serendip, not in your settings; the server log has the details "
        f"(round {planned.round_id}, seed {planned.seed})."
    )
    for slack_id in admins:
        _try(partial(publisher.tell_member, slack_id, text), "held_note", planned.round_id)


def _try(send: Callable[[], object], what: str, round_id: int) -> None:
    try:
        send()
    except Exception as exc:  # a failed note never fails the round
        log.warning("round.%s_failed round_id=%s error=%s", what, round_id, type(exc).__name__)
