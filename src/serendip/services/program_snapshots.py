"""Dashboards of large programs, kept by the worker: the admins' health panel and the expertise cloud.

The health panel recounts a program's whole pairing history (1.2 million seats after 12 rounds of
100,000 people: over a second) and the expertise cloud every participant's tags. For a program of
`SNAPSHOT_FROM` participants or more, the worker computes both every `SNAPSHOT_EVERY` and the App Home
shows that snapshot, marked with its time; smaller programs are counted live on every Home, as before.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories_profile as profile_repo
from serendip.adapters.db import snapshot_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, ProgramSnapshot
from serendip.services import analytics

log = logging.getLogger(__name__)

SNAPSHOT_FROM = 2_000  # participants; below this the live count takes well under 0.1 s
SNAPSHOT_EVERY = timedelta(minutes=10)
SNAPSHOT_SHOWN_FOR = timedelta(hours=1)  # an older snapshot (no worker running?) is counted live instead
CLOUD_KIND = "expertise"
HEALTH_LABELS = (  # the figures the App Home's health panel shows, in order
    "Participants now",
    "Rounds",
    "Intros delivered",
    "Meeting rate",
    "Cross-team rate",
    "New cross-team ties in",  # the label carries the quarter: matched by prefix
    "Department pairs with a tie",
    "Members with no cross-team tie yet",
)


@dataclass(frozen=True)
class HealthPanel:
    """One program's health as the App Home shows it: (label, value) rows, and when they were
    counted when they come from a snapshot (None: counted just now)."""

    channel_id: str
    rows: list[tuple[str, str]]
    as_of: datetime | None = None


def health_rows(stats: analytics.ProgramStats) -> list[tuple[str, str]]:
    """The health panel's rows out of the program's full figures."""
    rows = analytics.summary_rows(stats)
    return [next(row for row in rows if row[0].startswith(label)) for label in HEALTH_LABELS]


def large_programs(session: Session, program_ids: list[int], *, threshold: int = SNAPSHOT_FROM) -> set[int]:
    """Which of these programs are shown from snapshots (at least ``threshold`` participants)."""
    counts = snapshot_store.participant_counts(session, program_ids)
    return {p for p in program_ids if counts.get(p, 0) >= threshold}


def snapshots_due(db: Database, now: datetime, *, threshold: int = SNAPSHOT_FROM) -> bool:
    """Whether any program's snapshot is due (missing or old, and the program large enough)."""
    with db.transaction() as session:
        return bool(
            large_programs(
                session, snapshot_store.programs_due(session, now - SNAPSHOT_EVERY), threshold=threshold
            )
        )


def refresh_snapshots(db: Database, now: datetime, *, threshold: int = SNAPSHOT_FROM) -> int:
    """Recount every large program whose snapshot is missing or older than `SNAPSHOT_EVERY`; how many."""
    with db.transaction() as session:
        candidates = snapshot_store.programs_due(session, now - SNAPSHOT_EVERY)
        due = sorted(large_programs(session, candidates, threshold=threshold))
        # A program that shrank below the threshold is counted live again: its snapshot goes.
        snapshot_store.drop(session, sorted(set(candidates) - set(due)))
    for program_id in due:  # one transaction each: a 100,000-person count takes seconds
        started = time.perf_counter()
        with db.transaction() as session:
            program = session.get(Program, program_id)
            if program is None:
                continue
            stats = analytics.program_stats(session, program, now)
            cloud = profile_repo.program_tag_counts(session, program_id, CLOUD_KIND)
            snapshot_store.store(session, program_id, now, health_rows(stats), cloud)
        log.info(
            "snapshot.refreshed program_id=%s participants=%d seconds=%.2f",
            program_id,
            stats.participants,
            time.perf_counter() - started,
        )
    return len(due)


def fresh_snapshots(session: Session, program_ids: list[int], now: datetime) -> dict[int, ProgramSnapshot]:
    """The snapshots of these programs young enough to show (`SNAPSHOT_SHOWN_FOR`), by program id."""
    found = snapshot_store.snapshots(session, program_ids)
    return {p: s for p, s in found.items() if s.computed_at >= now - SNAPSHOT_SHOWN_FOR}
