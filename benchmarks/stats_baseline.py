"""Today's (pre-issue-12) stats computation, kept runnable as the benchmarks' baseline: ORM-era seat
objects per person per intro, pairs in Python sets. Copied from services/analytics.py before the
set-based rewrite; used only by benchmarks/pipeline_steps/stats.py and benchmarks/home.py."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Program
from serendip.domain.departments import department_key
from serendip.domain.people import is_cross_team
from serendip.services.analytics import ProgramStats, RoundPoint, quarter_start

Pair = tuple[str, str]


def program_stats(session: Session, program: Program, now: dt.datetime) -> ProgramStats:
    """Load a program's history and compute its figures."""
    return compute_stats(
        program_id=program.id,
        channel_id=program.channel_id,
        timezone=program.timezone,
        now=now,
        seats=repo.program_seats(session, program.id),
        outcomes=repo.program_outcomes(session, program.id),
        quality=repo.program_round_quality(session, program.id),
        people=repo.program_people(session, program.id),
    )


def compute_stats(
    *,
    program_id: int,
    channel_id: str,
    timezone: str,
    now: dt.datetime,
    seats: Sequence[repo.Seat],
    outcomes: dict[tuple[int, int], str],
    quality: dict[int, dict[str, Any]],
    people: Sequence[tuple[str, str | None]],
) -> ProgramStats:
    """The figures from a program's delivered intros, answers, round quality and current members."""
    intros: dict[int, list[repo.Seat]] = defaultdict(list)
    for seat in seats:
        intros[seat.intro_id].append(seat)
    shown = {s.slack_id: s.department for s in seats} | dict(people)
    # Each distinct spelling is keyed once: a program has thousands of members but few departments.
    key_of = {name: department_key(name) for name in set(shown.values())}
    department = {slack_id: key_of[name] for slack_id, name in shown.items()}
    first_tied: dict[Pair, dt.datetime] = {}
    for group in intros.values():
        for a, b in combinations(sorted({s.slack_id for s in group}), 2):
            first_tied.setdefault((a, b), group[0].round_at)
    cross = {pair: at for pair, at in first_tied.items() if _cross(pair, department)}
    start, label = quarter_start(now, timezone)
    asked, met = _meeting(intros, outcomes)
    names = _names(people)
    keys = sorted(names, key=lambda k: (names[k], k))
    tied_people = {person for pair in cross for person in pair}
    dept_pairs = {tuple(sorted((department[a] or "", department[b] or ""))) for a, b in cross}
    all_pairs = {tuple(sorted(p)) for p in combinations(keys, 2)}
    series = _series(intros, cross, quality)
    stats = ProgramStats(
        program_id=program_id,
        channel_id=channel_id,
        timezone=timezone,
        generated_at=now,
        participants=len(people),
        rounds=len(series),
        intros_delivered=len(intros),
        intros_asked=asked,
        intros_met=met,
        ties=len(first_tied),
        cross_team_ties=len(cross),
        quarter=label,
        new_cross_team_ties_this_quarter=sum(start <= at <= now for at in cross.values()),
        department_pairs_tied=len(dept_pairs & all_pairs),
        department_pairs_total=len(all_pairs),
        members_without_cross_team_tie=sum(slack_id not in tied_people for slack_id, _ in people),
        departments=[names[k] for k in keys],
        series=series,
        rounds_held=sum(1 for q in quality.values() if q.get("violations")),
    )
    matrix = _matrix(keys, first_tied, department)
    stats.tie_counts = np.array(matrix, dtype=np.int64).reshape(len(keys), len(keys))
    return stats


def _names(people: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """Department key → the name shown for it (the stored first-seen spelling; one per key)."""
    names: dict[str, str] = {}
    for _, name in people:
        key = department_key(name)
        if key is not None and name is not None:
            names.setdefault(key, name)
    return names


def _cross(pair: Pair, department: dict[str, str | None]) -> bool:
    # `department` holds keys, and a key's key is itself, so the domain rule reads them as names.
    return _cross_team(department.get(pair[0]), department.get(pair[1]))


# Few departments, many pairs: each pair of keys is decided once.
_cross_team = lru_cache(maxsize=4096)(is_cross_team)


def _meeting(intros: dict[int, list[repo.Seat]], outcomes: dict[tuple[int, int], str]) -> tuple[int, int]:
    answered: dict[int, set[str]] = defaultdict(set)
    for (intro_id, _member), outcome in outcomes.items():
        answered[intro_id].add(outcome)
    asked = [i for i, group in intros.items() if group[0].followup_sent or answered.get(i)]
    return len(asked), sum("met" in answered.get(i, ()) for i in asked)


def _series(
    intros: dict[int, list[repo.Seat]], cross: dict[Pair, dt.datetime], quality: dict[int, dict[str, Any]]
) -> list[RoundPoint]:
    rounds: dict[int, list[list[repo.Seat]]] = defaultdict(list)
    for group in intros.values():
        rounds[group[0].round_id].append(group)
    ordered = sorted(rounds.items(), key=lambda item: (item[1][0][0].round_at, item[0]))
    points, total = [], 0
    for round_id, groups in ordered:
        at = groups[0][0].round_at
        new = sum(first == at for first in cross.values())
        total += new
        q = quality.get(round_id, {})
        points.append(
            RoundPoint(
                round_id=round_id,
                at=at,
                participants=len({s.slack_id for g in groups for s in g}),
                intros=len(groups),
                new_cross_team_ties=new,
                cross_team_ties=total,
                cross_team_rate=_number(q.get("cross_team_rate")),
                cross_team_bound=_number(q.get("cross_team_bound")),
                repeats=_count(q.get("repeats")),
            )
        )
    return points


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _matrix(
    keys: list[str], ties: dict[Pair, dt.datetime], department: dict[str, str | None]
) -> list[list[int]]:
    index = {k: i for i, k in enumerate(keys)}
    matrix = [[0] * len(keys) for _ in keys]
    for a, b in ties:
        i, j = index.get(department.get(a) or ""), index.get(department.get(b) or "")
        if i is None or j is None:
            continue
        matrix[i][j] += 1
        if i != j:
            matrix[j][i] += 1
    return matrix
