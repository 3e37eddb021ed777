"""Matching a round: the program's history, tags, blocks and ties in; a match checked independently out."""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db.models import Member, Program
from serendip.adapters.db.types import utcnow
from serendip.domain.departments import department_key
from serendip.domain.matching import (
    History,
    MatchResult,
    MatchSettings,
    Participant,
    RepeatMode,
    RoundQuality,
)
from serendip.domain.people import is_cross_team
from serendip.domain.round_check import RoundCheck, check_round
from serendip.services.members import utc_offset_at

log = logging.getLogger(__name__)


def _ties(
    history: list[list[list[str]]], departments: dict[str, str | None]
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    person: Counter[str] = Counter()
    dept_pairs: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, str]] = set()
    # Keys, so "Sales" and " sales" are one team; the matcher reads pair ties by key too.
    team = {slack_id: department_key(name) for slack_id, name in departments.items()}
    cross_team = functools.cache(is_cross_team)  # few departments, many pairs
    for groups in history:
        for group in groups:
            for a, b in combinations(sorted(group), 2):
                da, db = team.get(a), team.get(b)
                if (a, b) in seen or da is None or db is None or not cross_team(da, db):
                    continue
                seen.add((a, b))
                person[a] += 1
                person[b] += 1
                dept_pairs[(min(da, db), max(da, db))] += 1
    return person, dept_pairs


Matcher = Callable[[Sequence[Participant], History, MatchSettings], MatchResult]


@dataclass(frozen=True)
class CheckedMatch:
    """The matcher's result and the independent checker's verdict on it."""

    result: MatchResult
    check: RoundCheck

    def quality(self) -> dict[str, Any]:
        """Figures stored with the round and shown to people: the checker's, plus two of the matcher's.

        `avoidable_repeats` is the matcher's own estimate and `shared_tag_rate` a soft score; every
        figure that states a rule (coverage, repeats, forbidden pairs, cross-team rate) is recounted.
        """
        return {
            **self.check.figures(),
            "avoidable_repeats": self.result.quality.avoidable_repeats,
            "shared_tag_rate": self.result.quality.shared_tag_rate,
            "lone": self.result.lone,
            "sat_out": {s.id: s.reason for s in self.result.sat_out},
        }


def match_and_check(
    session: Session, program: Program, people: list[Member], seed: int, matcher: Matcher
) -> CheckedMatch:
    """Match the people with the program's history and settings, and recount the result independently."""
    ids = [m.id for m in people]
    tags = history_store.member_tags_by_kind(session, ids)
    blocked = history_store.member_blocks(session, ids)
    history = history_store.program_history(session, program.id)
    departments = {m.slack_id: m.department for m in people}
    person_ties, dept_ties = _ties(history, departments)
    participants = [
        Participant(
            id=m.slack_id,
            department=m.department,
            utc_offset_minutes=utc_offset_at(m, program.next_run_at or utcnow()),
            working_hours=(m.work_start_minute, m.work_end_minute),
            expertise=frozenset(tags[m.id]["expertise"]),
            interests=frozenset(tags[m.id]["interest"]),
            manager_id=m.manager_slack_id,
            blocked=frozenset(blocked[m.id]),
            cross_team_ties=person_ties[m.slack_id],
        )
        for m in people
    ]
    settings = MatchSettings(
        group_size=program.group_size,
        mode=RepeatMode(program.repeat_mode),
        cooldown=program.cooldown_rounds,
        seed=seed,
        department_pair_ties=dict(dept_ties),
    )
    result = matcher(participants, history, settings)
    check = check_round(
        participants,
        history,
        settings,
        result.groups,
        sat_out=[s.id for s in result.sat_out],
        lone=result.lone,
    )
    _compare_figures(program.id, seed, result.quality, check)
    return CheckedMatch(result, check)


def _compare_figures(program_id: int, seed: int, quality: RoundQuality, check: RoundCheck) -> None:
    """Log when the matcher's own report disagrees with the recount (a bug in the report, not the round)."""
    mine = (quality.coverage, quality.repeats, quality.cross_team_pairs, quality.pairs)
    recount = (check.coverage, check.repeats, check.cross_team_pairs, check.pairs)
    if mine != recount:
        log.warning(
            "round.quality_disagrees program_id=%s seed=%d matcher=%s checker=%s",
            program_id,
            seed,
            mine,
            recount,
        )
