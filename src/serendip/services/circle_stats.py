"""A circles program's figures: circles formed, members placed on a topic they listed, departments
and meetings per circle, and the department pairs its circles bridged.

Ties and cross-team ties are the program's usual ones (`analytics`): a circle is an intro, so its
members are tied like any intro's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from serendip.adapters.db.circle_stats_store import CircleRows
from serendip.adapters.db.packed import IdArray
from serendip.domain.departments import department_key
from serendip.domain.plural import plural

if TYPE_CHECKING:
    from serendip.services.analytics import ProgramStats

BRIDGED_SHOWN = 10


@dataclass(frozen=True)
class CirclePoint:
    """One circle: its season, topic, how many people and departments, and its meetings."""

    circle_id: int
    season_id: int
    topic: str
    members: int
    departments: int
    meetings_held: int
    meetings_scheduled: int
    state: str


@dataclass
class CircleFigures:
    """Every circles figure of `admin stats`, `serendip report` and the chart."""

    seasons: int
    circles_formed: int
    placements: int  # people placed in a circle, counted once per circle
    placed_on_listed_topic: int
    placed_on_listed_topic_share: float | None
    mean_departments: float | None
    mean_meetings_held: float | None
    meetings_held: int
    meetings_scheduled: int
    # The department pairs with the most cross-team ties, as (department, department, ties).
    bridged_pairs: list[tuple[str, str, int]] = field(default_factory=list)
    circles: list[CirclePoint] = field(default_factory=list)


def circle_figures(rows: CircleRows, departments: list[str], tied: tuple[IdArray, IdArray]) -> CircleFigures:
    """The figures from the program's circles; ``departments`` and ``tied`` are the program's tie
    figures (`ProgramStats.departments` and `tied_departments`)."""
    people: dict[int, set[int]] = defaultdict(set)
    keys: dict[int, set[str]] = defaultdict(set)
    for circle, member, department in rows.placements:
        people[circle].add(member)
        key = department_key(department)
        if key is not None:
            keys[circle].add(key)
    points = [
        CirclePoint(
            circle_id=circle,
            season_id=season,
            topic=topic,
            members=len(people[circle]),
            departments=len(keys[circle]),
            meetings_held=rows.meetings.get(circle, (0, 0))[0],
            meetings_scheduled=rows.meetings.get(circle, (0, 0))[1],
            state=state,
        )
        for circle, (season, _, topic, state) in sorted(
            rows.circles.items(), key=lambda item: (item[1][1], item[0])
        )
    ]
    placements = sum(len(members) for members in people.values())
    listed = len(rows.on_listed_topic)
    held = sum(p.meetings_held for p in points)
    return CircleFigures(
        seasons=len({p.season_id for p in points}),
        circles_formed=len(points),
        placements=placements,
        placed_on_listed_topic=listed,
        placed_on_listed_topic_share=listed / placements if placements else None,
        mean_departments=_mean([p.departments for p in points]),
        mean_meetings_held=_mean([p.meetings_held for p in points]),
        meetings_held=held,
        meetings_scheduled=sum(p.meetings_scheduled for p in points),
        bridged_pairs=bridged_pairs(departments, tied),
        circles=points,
    )


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def bridged_pairs(
    departments: list[str], tied: tuple[IdArray, IdArray], limit: int = BRIDGED_SHOWN
) -> list[tuple[str, str, int]]:
    """The department pairs with the most cross-team ties (names in the order shown, most first)."""
    mx, my = tied
    cross = mx != my
    low, high = np.minimum(mx, my)[cross], np.maximum(mx, my)[cross]
    size = len(departments) + 1
    counts = np.bincount(low * size + high, minlength=0) if len(low) else np.zeros(0, dtype=np.int64)
    found = np.nonzero(counts)[0]
    order = sorted(found.tolist(), key=lambda cell: (-int(counts[cell]), cell))[:limit]
    return [(departments[cell // size], departments[cell % size], int(counts[cell])) for cell in order]


def circle_summary_rows(stats: ProgramStats, circles: CircleFigures) -> list[tuple[str, str]]:
    """A circles program's headline figures as (label, value) rows."""
    placed = f"{_percent(circles.placed_on_listed_topic_share)} ({circles.placed_on_listed_topic} of {circles.placements})"
    held = "n/a"
    if circles.mean_meetings_held is not None:
        held = f"{circles.mean_meetings_held:.1f} ({circles.meetings_held} of {plural(circles.meetings_scheduled, 'meeting')} held)"
    departments = "n/a" if circles.mean_departments is None else f"{circles.mean_departments:.1f}"
    bridged = "; ".join(f"{a} – {b} ({ties})" for a, b, ties in circles.bridged_pairs[:5]) or "none yet"
    return [
        ("Participants now", str(stats.participants)),
        ("Circles formed", f"{circles.circles_formed} in {plural(circles.seasons, 'season')}"),
        ("Placed on a topic they listed", placed),
        ("Departments per circle", f"{departments} on average"),
        ("Meetings held per circle", held),
        (
            "New cross-team ties",
            f"{stats.cross_team_ties} ({stats.new_cross_team_ties_this_quarter} in {stats.quarter})",
        ),
        (
            "Department pairs bridged",
            f"{stats.department_pairs_tied} of {stats.department_pairs_total}: {bridged}",
        ),
        ("Members with no cross-team tie yet", str(stats.members_without_cross_team_tie)),
    ]


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"
