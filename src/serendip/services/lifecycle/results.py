"""What the lifecycle steps hand back: planned rounds, previews, summaries, tick and run reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PlannedRound:
    """A claimed round: matched and stored, or held back by the round checker (no intros)."""

    round_id: int
    intros: int
    eligible: int
    ghosts: list[str]
    held: tuple[str, ...] = ()  # the checker's violations when the round was held back
    seed: int = 0
    season: bool = False  # a circles program's season: `intros` counts its circles


@dataclass(frozen=True)
class RoundPreview:
    """What the next round would do, computed without sending anything."""

    eligible: int
    groups: list[list[str]]
    quality: dict[str, Any]
    lone: str | None
    sat_out: dict[str, str]
    new_draw: bool = False  # the membership changed since the seed was drawn, so a new one was


@dataclass(frozen=True)
class SeasonPreview:
    """The season a circles program would form now, computed without sending anything."""

    eligible: int
    circles: list[tuple[str, list[str]]]  # (topic, Slack ids of the members)
    departments: list[int]  # distinct departments in each circle
    quality: dict[str, Any]
    unplaced: dict[str, str]  # Slack id -> why they have no circle
    violations: int = 0  # the checker's findings: a season with any is held, not sent
    new_draw: bool = False


@dataclass
class RoundSummary:
    """What a round did, for the channel summary and the logs (filled by `close.summarise`)."""

    round_id: int
    program_id: int
    channel_id: str
    eligible: int = 0
    groups: int = 0
    delivered: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    sat_out: dict[str, str] = field(default_factory=dict)
    lone: str | None = None
    quality: dict[str, float] = field(default_factory=dict)
    admins: list[str] = field(default_factory=list)  # who gets the raw failure codes by DM
    channel_name: str = ""  # shown in notification texts instead of the raw channel id
    season: bool = False  # a circles season: `groups` are its circles, `quality` holds its figures


@dataclass
class TickReport:
    """What one scheduler tick did."""

    started: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    delivered_rounds: int = 0
    followups: int = 0
    # Circles: closing messages posted, votes settled, meeting nudges and new group DMs posted.
    season_closings: int = 0
    votes_settled: int = 0
    nudges: int = 0
    circle_cards: int = 0

    @property
    def circle_posts(self) -> int:
        """Everything the circles' part of the tick did."""
        return self.season_closings + self.votes_settled + self.nudges + self.circle_cards


@dataclass(frozen=True)
class ManualRun:
    """A round started by `admin run`, and what it did to the schedule."""

    planned: PlannedRound | None
    replaced: datetime | None  # the scheduled round this one stands in for, if any
    next_run_at: datetime | None  # the next scheduled round after this one
    ended_season: int | None = None  # a running season this run ended early, to form a new one


@dataclass(frozen=True)
class Answers:
    """Everyone's answer to one intro, by Slack id, after recording a click."""

    intro_id: int
    answers: dict[str, str]
    changed: bool
