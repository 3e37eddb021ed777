"""The matching engine: pure functions from a round's participants and history to groups.

Public API: `match_round`, `group_sizes`, `derive_round_seed` and the dataclasses below.
"""

from serendip.domain.matching.engine import match_round
from serendip.domain.matching.model import (
    History,
    MatchResult,
    MatchSettings,
    PairTies,
    Participant,
    PastGroups,
    RepeatMode,
    RoundQuality,
    SatOut,
)
from serendip.domain.matching.sizes import derive_round_seed, group_sizes

__all__ = [
    "History",
    "MatchResult",
    "MatchSettings",
    "PairTies",
    "Participant",
    "PastGroups",
    "RepeatMode",
    "RoundQuality",
    "SatOut",
    "derive_round_seed",
    "group_sizes",
    "match_round",
]
