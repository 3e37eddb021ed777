"""The org the pipeline benchmark runs on: one workspace, one program, `people` members, `rounds` of history.

Written with bulk Core inserts (executemany) into a freshly migrated database, in the shapes the app
itself writes: department keys from `domain.departments`, the departments table holding the first-seen
spelling, DONE rounds whose intros were posted and followed up, and answers to about a third of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Table, insert, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.db.models import (
    Department,
    Enrolment,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    MemberTag,
    Program,
    Round,
    Workspace,
)
from serendip.domain.departments import department_display, department_key
from serendip.domain.lifecycle import IntroState, RoundState

TEAM_ID = "T0PIPELINE"
CHANNEL_ID = "C0PIPELINE"
ADMIN_ID = "U0ADMIN00"
# Zone names with the offsets used to weight them (a spread like a global company's).
ZONES: dict[str, int] = {
    "America/Los_Angeles": -480,
    "America/Denver": -420,
    "America/Chicago": -360,
    "America/New_York": -300,
    "Europe/London": 0,
    "Europe/Berlin": 60,
    "Europe/Helsinki": 120,
    "Asia/Kolkata": 330,
    "Asia/Singapore": 480,
    "Asia/Tokyo": 540,
    "Australia/Sydney": 600,
}
ZONE_WEIGHTS = np.array([8, 3, 6, 14, 12, 25, 8, 9, 7, 5, 3], dtype=float)
DEPARTMENT_WORDS = ("Engineering", "Sales", "Support", "Finance", "Research", "Design", "Legal", "Ops")
TAGS = 300
BATCH = 5_000  # rows per executemany: bounded memory at 100,000 people and 12 rounds


def build_org(url: str, *, people: int, rounds: int, seed: int = 0) -> None:
    """Migrate the database at ``url`` and fill it with a `people`-member org and `rounds` DONE rounds."""
    rng = np.random.default_rng(seed)
    database = Database(url)
    try:
        upgrade(database)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with database.engine.begin() as conn:
            conn.execute(insert(Workspace), [{"id": TEAM_ID, "name": "Pipeline Inc", "created_at": now}])
            program_id = _program(conn, now, rounds)
        slack_ids = [f"U{i:08d}" for i in range(people)]
        departments = _department_names(rng, people)
        with database.engine.begin() as conn:
            _departments(conn, departments, now)
            _members(conn, rng, slack_ids, departments, now)
        with database.engine.begin() as conn:
            member_ids = dict(
                conn.execute(select(Member.slack_id, Member.id).where(Member.workspace_id == TEAM_ID)).all()
            )
            ids = np.array([member_ids[s] for s in slack_ids], dtype=np.int64)
            _tags(conn, rng, ids)
            joined = now - dt.timedelta(weeks=rounds + 1)
            rows = ({"program_id": program_id, "member_id": int(m), "joined_at": joined} for m in ids)
            _insert(conn, Enrolment.__table__, rows)
        for number in range(rounds):
            with database.engine.begin() as conn:
                _round(conn, rng, program_id, ids, departments, now - dt.timedelta(weeks=rounds - number))
    finally:
        database.dispose()


def _program(conn: Any, now: dt.datetime, rounds: int) -> int:
    """The weekly pairs program in C0PIPELINE; its next round is a week after the newest past one."""
    result = conn.execute(
        insert(Program).returning(Program.id),
        {
            "workspace_id": TEAM_ID,
            "channel_id": CHANNEL_ID,
            "channel_name": "pipeline",
            "created_by": ADMIN_ID,
            "frequency": "weekly",
            "group_size": 2,
            "anchor_date": now - dt.timedelta(weeks=rounds + 1),
            "next_run_at": now + dt.timedelta(days=3),
            "created_at": now - dt.timedelta(weeks=rounds + 1),
        },
    )
    return int(result.scalar_one())


def _department_names(rng: np.random.Generator, people: int) -> list[str]:
    """Each person's department spelling: Zipf(1.1) sizes over ~people/40 departments."""
    count = max(2, people // 40)
    weights = 1.0 / np.arange(1, count + 1) ** 1.1
    names = [f"{DEPARTMENT_WORDS[d % len(DEPARTMENT_WORDS)]} {d:04d}" for d in range(count)]
    return [names[d] for d in rng.choice(count, size=people, p=weights / weights.sum())]


def _departments(conn: Any, departments: Sequence[str], now: dt.datetime) -> None:
    """One departments row per key, with the first-seen spelling shown (as the app keeps it)."""
    shown: dict[str, str] = {}
    for name in departments:
        key, display = department_key(name), department_display(name)
        if key is not None and display is not None:
            shown.setdefault(key, display)
    rows = ({"workspace_id": TEAM_ID, "key": k, "name": n, "created_at": now} for k, n in shown.items())
    _insert(conn, Department.__table__, rows)


def _members(
    conn: Any,
    rng: np.random.Generator,
    slack_ids: Sequence[str],
    departments: Sequence[str],
    now: dt.datetime,
) -> None:
    """Members from the directory: names, e-mail, zone and offset, department and its key."""
    names = list(ZONES)
    zones = rng.choice(len(names), size=len(slack_ids), p=ZONE_WEIGHTS / ZONE_WEIGHTS.sum())
    keys = {name: department_key(name) for name in set(departments)}
    rows = (
        {
            "workspace_id": TEAM_ID,
            "slack_id": slack_id,
            "name": f"person{i}",
            "real_name": f"Person {i}",
            "email": f"person{i}@pipeline.example",
            "tz": names[zones[i]],
            "tz_offset_minutes": ZONES[names[zones[i]]],
            "tz_source": "slack",
            "department": departments[i],
            "department_source": "directory",
            "department_key": keys[departments[i]],
            "profile_synced_at": now,
            "department_synced_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for i, slack_id in enumerate(slack_ids)
    )
    _insert(conn, Member.__table__, rows)


def _tags(conn: Any, rng: np.random.Generator, ids: np.ndarray) -> None:
    """Two distinct tags each from a Zipf-ish pool of a few hundred, each an interest or an expertise."""
    weights = 1.0 / np.arange(1, TAGS + 1)
    first = rng.choice(TAGS, size=ids.size, p=weights / weights.sum())
    second = (first + 1 + rng.integers(0, TAGS - 1, size=ids.size)) % TAGS  # never the same tag
    kinds = rng.random((ids.size, 2)) < 0.5

    def rows() -> Iterable[dict[str, Any]]:
        for i, member_id in enumerate(ids.tolist()):
            for j, tag in enumerate((first[i], second[i])):
                kind = "expertise" if kinds[i, j] else "interest"
                yield {"member_id": member_id, "kind": kind, "tag": f"topic {int(tag):03d}"}

    _insert(conn, MemberTag.__table__, rows())


def _round(
    conn: Any,
    rng: np.random.Generator,
    program_id: int,
    ids: np.ndarray,
    departments: Sequence[str],
    at: dt.datetime,
) -> None:
    """One DONE round: random pairs, each posted and followed up; ~30% met, some other answers."""
    order = rng.permutation(ids.size)
    pairs = order[: ids.size - ids.size % 2].reshape(-1, 2)
    keys = np.array([department_key(d) for d in departments], dtype=object)
    cross = int(np.sum(keys[pairs[:, 0]] != keys[pairs[:, 1]]))
    quality = {
        "eligible": int(ids.size),
        "placed": int(pairs.size),
        "coverage": pairs.size / ids.size,
        "repeats": 0,
        "forbidden_pairs": 0,
        "pairs": len(pairs),
        "cross_team_pairs": cross,
        "cross_team_rate": cross / max(1, len(pairs)),
        "cross_team_bound": 1.0,
        "tz_overlap_rate": 1.0,
    }
    delivered = at + dt.timedelta(minutes=5)
    round_id = conn.execute(
        insert(Round).returning(Round.id),
        {
            "program_id": program_id,
            "scheduled_for": at,
            "state": RoundState.DONE,
            "seed": int(rng.integers(2**31)),
            "quality": quality,
            "started_at": at,
            "finished_at": delivered,
            "followup_due_at": at + dt.timedelta(days=3),
            "followup_done": True,
            "summary_ts": f"{int(at.timestamp())}.000001",
            "summary_started_at": delivered,
        },
    ).scalar_one()
    stamp = int(at.timestamp())
    intro_rows = (
        {
            "round_id": round_id,
            "state": IntroState.POSTED,
            "conversation_id": f"G{round_id:04d}{k:07d}",
            "message_ts": f"{stamp}.{k:06d}",
            "attempts": 1,
            "post_started_at": delivered,
            "delivered_at": delivered,
            "followup_ts": f"{stamp + 259_200}.{k:06d}",
            "followup_started_at": at + dt.timedelta(days=3),
            "created_at": at,
        }
        for k in range(len(pairs))
    )
    _insert(conn, Intro.__table__, intro_rows)
    intro_ids = [
        i for (i,) in conn.execute(select(Intro.id).where(Intro.round_id == round_id).order_by(Intro.id))
    ]
    _insert(conn, IntroMember.__table__, _seats(intro_ids, pairs, ids))
    _insert(conn, IntroOutcome.__table__, _answers(rng, intro_ids, pairs, ids, at + dt.timedelta(days=4)))


def _seats(intro_ids: Sequence[int], pairs: np.ndarray, ids: np.ndarray) -> Iterable[dict[str, Any]]:
    for intro_id, (a, b) in zip(intro_ids, pairs.tolist(), strict=True):
        yield {"intro_id": intro_id, "member_id": int(ids[a])}
        yield {"intro_id": intro_id, "member_id": int(ids[b])}


def _answers(
    rng: np.random.Generator, intro_ids: Sequence[int], pairs: np.ndarray, ids: np.ndarray, at: dt.datetime
) -> Iterable[dict[str, Any]]:
    """30% of intros: both answered "met"; 25% one said "scheduled", 15% "cant_make_it"; the rest silent."""
    draws = rng.random(len(intro_ids))
    for intro_id, (a, b), draw in zip(intro_ids, pairs.tolist(), draws.tolist(), strict=True):
        if draw < 0.30:
            for person in (a, b):
                yield {
                    "intro_id": intro_id,
                    "member_id": int(ids[person]),
                    "outcome": "met",
                    "answered_at": at,
                }
        elif draw < 0.70:
            outcome = "scheduled" if draw < 0.55 else "cant_make_it"
            yield {"intro_id": intro_id, "member_id": int(ids[a]), "outcome": outcome, "answered_at": at}


def _insert(conn: Any, table: Table | Any, rows: Iterable[dict[str, Any]]) -> None:
    """executemany in batches of BATCH rows."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.execute(insert(table), batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
