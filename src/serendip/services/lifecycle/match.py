"""Matching a round: its inputs (people, history, tags, blocks, ties) in; a match checked independently out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from serendip.domain.matching import (
    History,
    MatchResult,
    MatchSettings,
    Participant,
    RepeatMode,
    RoundQuality,
)
from serendip.domain.round_check import RoundCheck, check_round
from serendip.services.lifecycle.inputs import RoundInputs

log = logging.getLogger(__name__)

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


def match_and_check(inputs: RoundInputs, seed: int, matcher: Matcher) -> CheckedMatch:
    """Match the round's people with its history and settings, and recount the result independently.

    No database session is open here: matching takes seconds at 100,000 people.
    """
    settings = MatchSettings(
        group_size=inputs.group_size,
        mode=RepeatMode(inputs.repeat_mode),
        cooldown=inputs.cooldown,
        seed=seed,
        department_pair_ties=inputs.department_pair_ties,
    )
    result = matcher(inputs.participants, inputs.history, settings)
    check = check_round(
        inputs.participants,
        inputs.history,
        settings,
        result.groups,
        sat_out=[s.id for s in result.sat_out],
        lone=result.lone,
    )
    _compare_figures(inputs.program_id, seed, result.quality, check)
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
