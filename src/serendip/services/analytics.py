"""Is the informal network growing? A program's participation, meeting rate and ties.

A tie is two people placed in the same delivered intro; it is cross-team when both have a known
department and the departments differ by `department_key` ("Sales" and " sales" are one team).
The meeting rate is the share of asked intros that someone answered "We met"; an intro counts as
asked once its follow-up was sent, or once someone answered before the follow-up was due (the
follow-up is then skipped), so the rate never exceeds 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Program
from serendip.domain.departments import department_key
from serendip.domain.people import is_cross_team
from serendip.domain.plural import plural

Pair = tuple[str, str]


@dataclass(frozen=True)
class RoundPoint:
    """One round with delivered intros: who took part and how the network grew."""

    round_id: int
    at: dt.datetime
    participants: int
    intros: int
    new_cross_team_ties: int
    cross_team_ties: int  # cumulative, after this round
    cross_team_rate: float | None
    cross_team_bound: float | None
    repeats: int | None = None  # pairs that had met within the cooldown (the round checker's count)


@dataclass
class ProgramStats:
    """Every figure of `/coffee admin stats`, `serendip report` and the chart."""

    program_id: int
    channel_id: str
    timezone: str
    generated_at: dt.datetime
    participants: int
    rounds: int
    intros_delivered: int
    intros_asked: int
    intros_met: int
    ties: int
    cross_team_ties: int
    quarter: str
    new_cross_team_ties_this_quarter: int
    department_pairs_tied: int
    department_pairs_total: int
    members_without_cross_team_tie: int
    departments: list[str] = field(default_factory=list)
    tie_matrix: list[list[int]] = field(default_factory=list)
    series: list[RoundPoint] = field(default_factory=list)
    rounds_held: int = 0  # rounds the round checker held back (nothing was sent)

    @property
    def meeting_rate(self) -> float | None:
        """Intros answered "We met" / intros asked; None before any intro was asked."""
        return self.intros_met / self.intros_asked if self.intros_asked else None

    @property
    def last_round(self) -> RoundPoint | None:
        """The latest round with delivered intros."""
        return self.series[-1] if self.series else None

    @property
    def average_cross_team_rate(self) -> tuple[float, float] | None:
        """Mean cross-team rate and mean bound over rounds that recorded both."""
        known = [
            (p.cross_team_rate, p.cross_team_bound)
            for p in self.series
            if p.cross_team_rate is not None and p.cross_team_bound is not None
        ]
        if not known:
            return None
        return sum(r for r, _ in known) / len(known), sum(b for _, b in known) / len(known)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready figures (times as ISO strings)."""
        data = asdict(self)
        data["generated_at"] = self.generated_at.isoformat()
        data["meeting_rate"] = self.meeting_rate
        for point in data["series"]:
            point["at"] = point["at"].isoformat()
        return data


def quarter_start(now: dt.datetime, timezone: str) -> tuple[dt.datetime, str]:
    """The start (aware UTC) and label of the calendar quarter holding ``now`` in a time zone."""
    local = now.astimezone(ZoneInfo(timezone))
    month = 3 * ((local.month - 1) // 3) + 1
    start = dt.datetime(local.year, month, 1, tzinfo=ZoneInfo(timezone))
    return start.astimezone(dt.UTC), f"{local.year} Q{(month - 1) // 3 + 1}"


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
    return ProgramStats(
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
        tie_matrix=_matrix(keys, first_tied, department),
        series=series,
        rounds_held=sum(1 for q in quality.values() if q.get("violations")),
    )


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


def percent(value: float | None) -> str:
    """0.834 → '83%'; None → 'n/a'."""
    return "n/a" if value is None else f"{value:.0%}"


def summary_rows(stats: ProgramStats) -> list[tuple[str, str]]:
    """The headline figures as (label, value) rows, shared by Slack and the terminal."""
    last = stats.last_round
    average = stats.average_cross_team_rate
    cross = "n/a"
    if last is not None and last.cross_team_rate is not None:
        cross = f"{percent(last.cross_team_rate)} last round (best possible {percent(last.cross_team_bound)})"
    if average is not None:
        cross += f"; {percent(average[0])} on average (bound {percent(average[1])})"
    participation = ", ".join(f"{p.at:%d %b}: {p.participants}" for p in stats.series[-6:]) or "no rounds yet"
    rounds = str(stats.rounds)
    if stats.rounds_held:
        rounds += f" ({plural(stats.rounds_held, 'more round')} held back by the safety check, nothing sent)"
    asked = f"{stats.intros_met} of {plural(stats.intros_asked, 'asked intro')} met"
    rows = [
        ("Participants now", str(stats.participants)),
        ("Participants per round", participation),
        ("Rounds", rounds),
        ("Intros delivered", str(stats.intros_delivered)),
        ("Meeting rate", f"{percent(stats.meeting_rate)} ({asked})"),
        ("Cross-team rate", cross),
        ("Ties", f"{stats.ties} ({stats.cross_team_ties} cross-team)"),
        (f"New cross-team ties in {stats.quarter}", str(stats.new_cross_team_ties_this_quarter)),
        ("Department pairs with a tie", f"{stats.department_pairs_tied} of {stats.department_pairs_total}"),
        ("Members with no cross-team tie yet", str(stats.members_without_cross_team_tie)),
    ]
    if last is not None and last.repeats is not None:
        rows.insert(6, ("Pairs that had met recently, last round", str(last.repeats)))
    return rows
