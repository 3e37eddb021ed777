"""Inputs and outputs of the circles engine: plain frozen dataclasses, no I/O.

A circle is a small cross-team group formed around one topic that every member listed (as an
interest or expertise), meeting for a season. The engine reuses the matcher's `Participant`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from serendip.domain.matching.model import Participant

MIN_CIRCLE_SETTING = 3
MAX_CIRCLE_SETTING = 8  # Slack's group-DM limit
DEFAULT_CIRCLE_SIZE = 5
MIN_CIRCLE = 3  # a circle below this is merged or closed


def circle_bounds(size: int) -> tuple[int, int]:
    """The smallest and largest circle the engine forms for a program's `size` setting."""
    return max(MIN_CIRCLE, size - 1), min(MAX_CIRCLE_SETTING, size + 1)


@dataclass(frozen=True)
class CircleSettings:
    """Per-season knobs: target size, seed, and last season's circles (sets of member ids)."""

    size: int = DEFAULT_CIRCLE_SIZE
    seed: int = 0
    last_season: Sequence[frozenset[str]] = field(default_factory=tuple)
    time_budget_seconds: float | None = None  # improvement budget; None = size-based default

    def __post_init__(self) -> None:
        if not MIN_CIRCLE_SETTING <= self.size <= MAX_CIRCLE_SETTING:
            raise ValueError(f"size must be {MIN_CIRCLE_SETTING}..{MAX_CIRCLE_SETTING}, got {self.size}")


@dataclass(frozen=True)
class Circle:
    """One circle: its topic and its members' ids (sorted)."""

    topic: str
    members: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `serendip simulate --circles --json`."""
        return {"topic": self.topic, "members": list(self.members)}


@dataclass(frozen=True)
class Unplaced:
    """A person left out of every circle this season, why, and topics that would place them."""

    id: str
    reason: str
    suggested_topics: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `serendip simulate --circles --json`."""
        return {"id": self.id, "reason": self.reason, "suggested_topics": list(self.suggested_topics)}


@dataclass(frozen=True)
class CirclesQuality:
    """Figures of one season's circles, recounted from the circles themselves."""

    people: int
    people_with_topics: int
    placed: int
    placed_share: float  # placed / people_with_topics (1.0 when nobody listed a topic)
    circles: int
    mean_departments: float
    circles_with_three_departments: int
    last_season_pairs: int  # pairs of members who shared a circle last season too
    expert_learner_circles: int  # circles with someone who knows the topic and someone who wants it
    tz_overlap_rate: float  # share of member pairs with >= 1 h of common working time

    def to_dict(self) -> dict[str, Any]:
        """The JSON keys of `quality` in `serendip simulate --circles --json`."""
        return {
            "people": self.people,
            "people_with_topics": self.people_with_topics,
            "placed": self.placed,
            "placed_share": self.placed_share,
            "circles": self.circles,
            "mean_departments": self.mean_departments,
            "circles_with_three_departments": self.circles_with_three_departments,
            "last_season_pairs": self.last_season_pairs,
            "expert_learner_circles": self.expert_learner_circles,
            "tz_overlap_rate": self.tz_overlap_rate,
        }


@dataclass(frozen=True)
class SeasonPlan:
    """What the engine formed: circles, who stayed out and why, and the figures."""

    circles: list[Circle]
    unplaced: list[Unplaced]
    quality: CirclesQuality
    seed: int


__all__ = [
    "DEFAULT_CIRCLE_SIZE",
    "MAX_CIRCLE_SETTING",
    "MIN_CIRCLE",
    "MIN_CIRCLE_SETTING",
    "Circle",
    "CircleSettings",
    "CirclesQuality",
    "Participant",
    "SeasonPlan",
    "Unplaced",
    "circle_bounds",
]
