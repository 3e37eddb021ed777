"""`serendip simulate`: rounds back to back on an HR export, each feeding the next one's history."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from serendip.domain.circles import check_circles, form_circles
from serendip.domain.circles.model import CircleSettings, SeasonPlan
from serendip.domain.departments import department_key
from serendip.domain.matching import (
    MatchResult,
    MatchSettings,
    Participant,
    RepeatMode,
    derive_round_seed,
    match_round,
)
from serendip.domain.people_csv import PersonRow
from serendip.domain.round_check import RoundCheck, check_round


@dataclass(frozen=True)
class SimulatedRound:
    """One simulated round: its number (from 1), the matcher's result, the checker's, the matching time."""

    number: int
    result: MatchResult
    seconds: float
    check: RoundCheck

    def quality(self) -> dict[str, Any]:
        """The `quality` keys of RoundQuality.to_dict, with every figure the checker recounts taken from it.

        `avoidable_repeats` and `shared_tag_rate` are the matcher's own (the checker has no such figure).
        """
        checked = self.check.figures()
        return {key: checked.get(key, value) for key, value in self.result.quality.to_dict().items()}

    def to_dict(self) -> dict[str, Any]:
        """The per-round object of `serendip simulate --json`."""
        return {
            "round": self.number,
            "groups": self.result.groups,
            "quality": self.quality(),
            "violations": list(self.check.violations),
            "seconds": round(self.seconds, 6),
        }


@dataclass(frozen=True)
class SimulatedSeason:
    """One simulated season of circles: the engine's plan, the checker's violations, the forming time."""

    plan: SeasonPlan
    violations: list[str]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The object `serendip simulate --circles --json` prints."""
        return {
            "circles": [c.to_dict() for c in self.plan.circles],
            "unplaced": [u.to_dict() for u in self.plan.unplaced],
            "quality": self.plan.quality.to_dict(),
        }


def participants_from_rows(rows: Sequence[PersonRow]) -> list[Participant]:
    """Matching participants from CSV rows (keyed by id, or by email when there is no id)."""
    return [
        Participant(
            id=row.id or row.email or f"line-{row.line}",
            department=row.department,
            utc_offset_minutes=row.utc_offset_minutes,
            expertise=row.expertise,
            interests=row.interests,
            manager_id=row.manager_id,
        )
        for row in rows
    ]


def simulate(
    participants: Sequence[Participant],
    *,
    rounds: int,
    group_size: int = 2,
    mode: RepeatMode = RepeatMode.PREFER,
    cooldown: int = 8,
    seed: int = 0,
    on_round: Callable[[SimulatedRound], None] | None = None,
) -> list[SimulatedRound]:
    """Run `rounds` rounds; round r uses derive_round_seed(seed, r) and all earlier rounds as history.

    Cross-team ties (per person and per department pair) accumulate as they would in production;
    departments are compared by department_key. Every round is checked by the round checker.
    """
    people = list(participants)
    department = {p.id: department_key(p.department) for p in people}
    person_ties: Counter[str] = Counter()
    pair_ties: Counter[tuple[str, str]] = Counter()
    history: list[list[list[str]]] = []
    out = []
    for number in range(1, rounds + 1):
        settings = MatchSettings(
            group_size=group_size,
            mode=mode,
            cooldown=cooldown,
            seed=derive_round_seed(seed, number),
            department_pair_ties=dict(pair_ties),
        )
        current = [replace(p, cross_team_ties=person_ties[p.id]) for p in people]
        started = time.perf_counter()
        result = match_round(current, history, settings)
        seconds = time.perf_counter() - started
        check = check_round(
            current,
            history,
            settings,
            result.groups,
            sat_out=[s.id for s in result.sat_out],
            lone=result.lone,
        )
        done = SimulatedRound(number, result, seconds, check)
        history.append(result.groups)
        _count_ties(result.groups, department, person_ties, pair_ties)
        out.append(done)
        if on_round is not None:
            on_round(done)
    return out


def _count_ties(
    groups: list[list[str]],
    department: dict[str, str | None],
    person_ties: Counter[str],
    pair_ties: Counter[tuple[str, str]],
) -> None:
    """Add this round's cross-team ties to the running counts (`department` holds department keys)."""
    for group in groups:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                da, db = department.get(a), department.get(b)
                if da is not None and db is not None and da != db:
                    person_ties[a] += 1
                    person_ties[b] += 1
                    pair_ties[(min(da, db), max(da, db))] += 1


def simulate_circles(participants: Sequence[Participant], *, size: int = 5, seed: int = 0) -> SimulatedSeason:
    """Form one season of circles as the bot would, and check it with the independent checker."""
    settings = CircleSettings(size=size, seed=seed)
    started = time.perf_counter()
    plan = form_circles(participants, settings)
    seconds = time.perf_counter() - started
    return SimulatedSeason(plan, check_circles(participants, settings, plan.circles), seconds)
