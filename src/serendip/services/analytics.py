"""Is the informal network growing? A program's participation, meeting rate and ties.

A tie is two people placed in the same delivered intro; it is cross-team when both have a known
department and the departments differ by `department_key` ("Sales" and " sales" are one team).
The meeting rate is the share of asked intros that someone answered "We met"; an intro counts as
asked once its follow-up was sent, or once someone answered before the follow-up was due (the
follow-up is then skipped), so the rate never exceeds 100 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from serendip.adapters.db import circle_stats_store, stats_store
from serendip.adapters.db.models import Program
from serendip.adapters.db.packed import IdArray
from serendip.adapters.db.stats_store import StatsRows
from serendip.domain.departments import department_key
from serendip.domain.plural import plural
from serendip.services.circle_stats import CircleFigures, circle_figures, circle_summary_rows
from serendip.services.stats_ties import Ties, distinct, distinct_ties


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
    # Each tie between two of `departments`: their indexes (x, y), counted into `tie_counts` only
    # when the chart asks: at 2,500 departments the matrix has 6 million cells.
    tied_departments: tuple[IdArray, IdArray] = field(
        default_factory=lambda: (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)),
        compare=False,
        repr=False,
    )
    series: list[RoundPoint] = field(default_factory=list)
    rounds_held: int = 0  # rounds the round checker held back (nothing was sent)
    # A circles program's own figures (None for an intros program).
    circles: CircleFigures | None = None

    @property
    def meeting_rate(self) -> float | None:
        """Intros answered "We met" / intros asked; None before any intro was asked."""
        return self.intros_met / self.intros_asked if self.intros_asked else None

    @cached_property
    def tie_counts(self) -> IdArray:
        """Ties between each pair of `departments` (square, symmetric), as an array."""
        return _matrix(len(self.departments), *self.tied_departments)

    @property
    def tie_matrix(self) -> list[list[int]]:
        """`tie_counts` as plain lists of ints (for JSON and tests)."""
        rows: list[list[int]] = self.tie_counts.tolist()
        return rows

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
        del data["tied_departments"]
        data["tie_matrix"] = self.tie_matrix
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
    """Load a program's history (one query per kind of data) and compute its figures (with a
    circles program's own)."""
    stats = compute_stats(
        program_id=program.id,
        channel_id=program.channel_id,
        timezone=program.timezone,
        now=now,
        rows=stats_store.stats_rows(session, program),
    )
    if program.kind == "circles":
        rows = circle_stats_store.circle_rows(session, program.id)
        stats.circles = circle_figures(rows, stats.departments, stats.tied_departments)
    return stats


def compute_stats(
    *, program_id: int, channel_id: str, timezone: str, now: dt.datetime, rows: StatsRows
) -> ProgramStats:
    """The figures from a program's delivered intros, answers, round quality and current members."""
    keys = _department_keys(rows)
    names = _names(rows.first_seen)
    shown = sorted(names, key=lambda k: (names[k], k))
    ties = distinct_ties(rows)
    dx, dy = keys[ties.x], keys[ties.y]
    # Both departments known and different keys: `domain.people.is_cross_team` on key indexes.
    cross = (dx >= 0) & (dy >= 0) & (dx != dy)
    new = np.bincount(ties.rank[cross], minlength=len(ties.rounds))
    start, label = quarter_start(now, timezone)
    tied_people = distinct(np.concatenate((ties.x[cross], ties.y[cross])))
    # Matrix rows and columns are the participants' departments; key index -> matrix index.
    where = np.full(len(rows.spellings) + 1, -1, dtype=np.int64)
    key_index = {key: i for i, key in enumerate(_distinct_keys(rows))}
    for i, key in enumerate(shown):
        where[key_index[key]] = i
    mx, my = where[dx], where[dy]
    counted = (mx >= 0) & (my >= 0)
    pairs = distinct(
        np.minimum(mx, my)[cross & counted] * (len(shown) + 1) + np.maximum(mx, my)[cross & counted]
    )
    series = _series(rows, ties, new)
    asked = sum(a for a, _ in rows.answers.values())
    return ProgramStats(
        program_id=program_id,
        channel_id=channel_id,
        timezone=timezone,
        generated_at=now,
        participants=len(rows.participants),
        rounds=len(series),
        intros_delivered=ties.intros,
        intros_asked=asked,
        intros_met=sum(m for _, m in rows.answers.values()),
        ties=len(ties.x),
        cross_team_ties=int(cross.sum()),
        quarter=label,
        new_cross_team_ties_this_quarter=sum(
            int(n) for (_, at), n in zip(ties.rounds, new, strict=True) if start <= at <= now
        ),
        department_pairs_tied=len(pairs),
        department_pairs_total=len(shown) * (len(shown) - 1) // 2,
        members_without_cross_team_tie=int((~np.isin(rows.participants, tied_people)).sum()),
        departments=[names[k] for k in shown],
        tied_departments=(mx[counted], my[counted]),
        series=series,
        rounds_held=sum(1 for _, _, q in rows.rounds if q.get("violations")),
    )


def _distinct_keys(rows: StatsRows) -> list[str]:
    """The department keys of every stored spelling, each once, in first-seen order."""
    return list(dict.fromkeys(k for k in map(department_key, rows.spellings) if k is not None))


def _department_keys(rows: StatsRows) -> IdArray:
    """Per member (by id, -1 for none): the index of their department's key in `_distinct_keys`."""
    key_index = {key: i for i, key in enumerate(_distinct_keys(rows))}
    of_spelling = np.array(
        [key_index.get(department_key(s) or "", -1) for s in rows.spellings], dtype=np.int64
    )
    top = int(max(rows.member_ids.max(initial=0), rows.seats[:, 2].max(initial=0)))
    by_member = np.full(top + 1, -1, dtype=np.int64)
    by_member[rows.member_ids] = of_spelling[rows.member_spelling]
    return by_member


def _names(first_seen: list[tuple[str | None, str]]) -> dict[str, str]:
    """Department key -> the name shown for it: the spelling of the participant with the smallest id."""
    names: dict[str, str] = {}
    for name, _ in sorted(first_seen, key=lambda item: item[1]):
        key = department_key(name)
        if key is not None and name is not None:
            names.setdefault(key, name)
    return names


def _series(rows: StatsRows, ties: Ties, new: IdArray) -> list[RoundPoint]:
    quality = {round_id: q for round_id, _, q in rows.rounds}
    points, total = [], 0
    for i, (round_id, at) in enumerate(ties.rounds):
        total += int(new[i])
        q = quality.get(round_id, {})
        points.append(
            RoundPoint(
                round_id=round_id,
                at=at,
                participants=ties.round_people[i],
                intros=ties.round_intros[i],
                new_cross_team_ties=int(new[i]),
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


def _matrix(size: int, mx: IdArray, my: IdArray) -> IdArray:
    # Counted with bincount over flat cell indexes (`np.add.at` is several times slower).
    off = mx != my
    cells = np.concatenate((mx * size + my, my[off] * size + mx[off]))
    matrix: IdArray = np.bincount(cells, minlength=size * size).reshape(size, size)
    return matrix


def percent(value: float | None) -> str:
    """0.834 → '83%'; None → 'n/a'."""
    return "n/a" if value is None else f"{value:.0%}"


def summary_rows(stats: ProgramStats) -> list[tuple[str, str]]:
    """The headline figures as (label, value) rows, shared by Slack and the terminal."""
    if stats.circles is not None:
        return circle_summary_rows(stats, stats.circles)
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
