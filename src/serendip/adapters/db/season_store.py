"""Every statement of forming a circles season: its times, last season's circles, and the writes.

A season is a `Round` of a circles program and a circle is an `Intro` with a topic, so forming one
writes the round, one intro per circle with its members, the season's meeting schedule and the
waitlist of the people left out, set-based (a 100,000-person program has ~20,000 circles).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from serendip.adapters.db.circle_models import CircleMeeting, SeasonWaitlist
from serendip.adapters.db.models import Intro, IntroMember, Member, Round
from serendip.adapters.db.round_writes import new_intro_ids
from serendip.domain.lifecycle import CircleState, IntroState, RoundState

CHUNK = 5_000  # ids per IN (...) list, rows per INSERT
_INTROS = cast(Table, Intro.__table__)
_SEATS = cast(Table, IntroMember.__table__)
_MEETINGS = cast(Table, CircleMeeting.__table__)
_WAITLIST = cast(Table, SeasonWaitlist.__table__)


@dataclass(frozen=True)
class SeasonTimes:
    """A season's round and when it ends and its vote closes."""

    round_id: int
    started: datetime
    ends_at: datetime
    vote_closes_at: datetime | None


def newest_season(session: Session, program_id: int) -> SeasonTimes | None:
    """The program's newest season that formed circles (held ones formed none), if any."""
    query = (
        select(Round.id, Round.scheduled_for, Round.season_ends_at, Round.vote_closes_at)
        .where(
            Round.program_id == program_id,
            Round.season_ends_at.is_not(None),
            Round.state.not_in((RoundState.HELD, RoundState.SKIPPED)),
        )
        .order_by(Round.scheduled_for.desc(), Round.id.desc())
    )
    row = session.execute(query.limit(1)).first()
    if row is None or row[2] is None:
        return None
    return SeasonTimes(row[0], row[1], row[2], row[3])


def has_active_circles(session: Session, program_id: int) -> bool:
    """Whether any circle of the program is still meeting (its season not closed yet)."""
    query = (
        select(Intro.id)
        .join(Round, Round.id == Intro.round_id)
        .where(Round.program_id == program_id, Intro.circle_state == CircleState.ACTIVE.value)
    )
    return session.scalar(query.limit(1)) is not None


def season_circles(session: Session, round_id: int) -> list[frozenset[str]]:
    """The Slack ids of each circle of a season (every group DM it had, failed ones left out)."""
    rows = session.execute(
        select(Intro.id, Member.slack_id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Member, Member.id == IntroMember.member_id)
        .where(
            Intro.round_id == round_id,
            Intro.topic.is_not(None),
            Intro.state != IntroState.FAILED,
        )
    )
    circles: dict[int, set[str]] = {}
    for intro_id, slack_id in rows:
        circles.setdefault(intro_id, set()).add(slack_id)
    return [frozenset(members) for _, members in sorted(circles.items())]


def insert_circles(
    session: Session, round_id: int, circles: Sequence[tuple[str, Sequence[int]]], now: datetime
) -> list[int]:
    """One pending, active circle intro per (topic, member ids), each its own root; the new ids in order.

    Called in the transaction that stored the season's round (SQLite's write lock is held, so the
    intro ids drawn stay free).
    """
    if not circles:
        return []
    ids = new_intro_ids(session, len(circles))
    pending, active = IntroState.PENDING.value, CircleState.ACTIVE.value
    # A circle's first intro is its root: later group DMs (a leave, a merge) point back to it.
    intros = [
        (i, round_id, pending, 0, now, topic, active, i) for i, (topic, _) in zip(ids, circles, strict=True)
    ]
    columns = ["id", "round_id", "state", "attempts", "created_at", "topic", "circle_state", "circle_root_id"]
    _bulk(session, _INTROS, columns, intros)
    seats = [(i, m) for i, (_, members) in zip(ids, circles, strict=True) for m in members]
    _bulk(session, _SEATS, ["intro_id", "member_id"], seats)
    return ids


def insert_meetings(session: Session, meetings: Sequence[tuple[int, int, int, datetime]]) -> None:
    """The season's meetings: (intro id, number, host member id, due at) each."""
    _bulk(session, _MEETINGS, ["intro_id", "number", "host_member_id", "due_at"], meetings)


def insert_waitlist(
    session: Session, round_id: int, people: Sequence[tuple[int, str, str]], now: datetime
) -> None:
    """The people left out of the season: (member id, reason, comma-separated suggested topics)."""
    rows = [(round_id, member_id, reason[:255], topics[:255], now) for member_id, reason, topics in people]
    _bulk(session, _WAITLIST, ["round_id", "member_id", "reason", "suggested_topics", "created_at"], rows)


def _bulk(session: Session, table: Table, columns: list[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Driver-level bulk insert in the session's transaction: COPY on PostgreSQL, executemany on
    SQLite (a 100,000-person season writes ~250,000 meetings; the ORM's insert costs seconds more).
    Every value is built by the caller from stored ids, the engine's topics and reasons, and times."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None  # a checked-out connection always has its driver connection
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    if any(p is not None for p in processors):
        # Column by column, each distinct value converted once: a season has few distinct times.
        values = [list(column) for column in zip(*rows, strict=True)]
        for i, process in enumerate(processors):
            if process is not None:
                once = functools.cache(process)
                values[i] = [None if v is None else once(v) for v in values[i]]
        rows = list(zip(*values, strict=True))
    marks = ", ".join("?" for _ in columns)
    for start in range(0, len(rows), CHUNK):
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows[start : start + CHUNK])
        )


def end_season(session: Session, round_id: int, *, ends_at: datetime, vote_closes_at: datetime) -> bool:
    """End a running season early (its closing then takes over); False if it had ended already."""
    result = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.season_ends_at > ends_at)
        .values(season_ends_at=ends_at, vote_closes_at=vote_closes_at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def unnotified_waitlist(session: Session, round_id: int) -> list[tuple[int, str, str, str]]:
    """(member id, Slack id, reason, suggested topics) of the season's waitlist not told yet."""
    rows = session.execute(
        select(
            SeasonWaitlist.member_id, Member.slack_id, SeasonWaitlist.reason, SeasonWaitlist.suggested_topics
        )
        .join(Member, Member.id == SeasonWaitlist.member_id)
        .where(SeasonWaitlist.round_id == round_id, SeasonWaitlist.notified_at.is_(None))
        .order_by(SeasonWaitlist.member_id)
    )
    return [(member_id, slack_id, reason, topics) for member_id, slack_id, reason, topics in rows]


def mark_notified(session: Session, round_id: int, member_ids: Sequence[int], now: datetime) -> None:
    """Record that these waitlisted members are being told (before the DMs: at most once)."""
    for start in range(0, len(member_ids), CHUNK):
        session.execute(
            update(SeasonWaitlist)
            .where(
                SeasonWaitlist.round_id == round_id,
                SeasonWaitlist.member_id.in_(member_ids[start : start + CHUNK]),
                SeasonWaitlist.notified_at.is_(None),
            )
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        )


def waitlist_count(session: Session, round_id: int) -> int:
    """How many people the season left out."""
    query = select(func.count()).select_from(SeasonWaitlist).where(SeasonWaitlist.round_id == round_id)
    return int(session.scalar(query) or 0)
