"""Ask an expert: how well a person's expertise matches a topic, and who to suggest first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from serendip.domain.tags import fuzzy_match

MATCH_CUTOFF = 0.6
WORD_WEIGHT = 0.9  # one word of a longer topic counts a little less than the whole topic
FULL_OVERLAP_MINUTES = 4 * 60
W_OVERLAP, W_RARE = 0.6, 0.4  # within a match tier: working-hours overlap, how rarely asked lately
TIE_BREAK = 0.09


@dataclass(frozen=True)
class ExpertCandidate:
    """An opted-in person who could be asked, with what ranking needs."""

    member_id: int
    slack_id: str
    tags: frozenset[str]
    utc_offset_minutes: int = 0
    working_hours: tuple[int, int] = (540, 1020)
    recent_asks: int = 0


@dataclass(frozen=True)
class RankedExpert:
    """A candidate that matched, with the tags that matched and the parts of the score."""

    candidate: ExpertCandidate
    matched: tuple[str, ...]
    match: float
    overlap_minutes: int
    score: float


def topic_scores(topic: str, tags: Iterable[str]) -> dict[str, float]:
    """How well each tag matches a topic: the whole topic, or any word of it, fuzzily."""
    pool = list(tags)
    scores = dict(fuzzy_match(topic, pool, cutoff=MATCH_CUTOFF))
    words = [w for w in re.split(r"[\s,;/]+", topic) if len(w) >= 3]
    if len(words) > 1:
        for word in words:
            for tag, score in fuzzy_match(word, pool, cutoff=MATCH_CUTOFF / WORD_WEIGHT):
                scores[tag] = max(scores.get(tag, 0.0), score * WORD_WEIGHT)
    return scores


def overlap_minutes(a_offset: int, a_hours: tuple[int, int], b_offset: int, b_hours: tuple[int, int]) -> int:
    """Minutes both people are at work on the same day (UTC), across a midnight shift too."""
    a = (a_hours[0] - a_offset, a_hours[1] - a_offset)
    b = (b_hours[0] - b_offset, b_hours[1] - b_offset)
    return max(max(0, min(a[1], b[1] + s) - max(a[0], b[0] + s)) for s in (-1440, 0, 1440))


def rank_experts(
    topic: str,
    candidates: Sequence[ExpertCandidate],
    *,
    asker_offset: int,
    asker_hours: tuple[int, int],
    limit: int = 3,
) -> list[RankedExpert]:
    """The best ``limit`` candidates: match tier first, then shared hours and fewest recent asks."""
    ranked = []
    for candidate in candidates:
        scores = topic_scores(topic, candidate.tags)
        if not scores:
            continue
        match = max(scores.values())
        matched = tuple(sorted(scores, key=lambda t: (-scores[t], t)))
        overlap = overlap_minutes(
            asker_offset, asker_hours, candidate.utc_offset_minutes, candidate.working_hours
        )
        shared = min(overlap, FULL_OVERLAP_MINUTES) / FULL_OVERLAP_MINUTES
        rarity = 1 / (1 + candidate.recent_asks)
        # Match tiers of 0.1 decide first; within a tier, shared hours and rarity (< 0.1 together).
        score = round(match, 1) + TIE_BREAK * (W_OVERLAP * shared + W_RARE * rarity)
        ranked.append(RankedExpert(candidate, matched, match, overlap, score))
    ranked.sort(key=lambda r: (-r.score, r.candidate.slack_id))
    return ranked[:limit]


def closest_tags(topic: str, counts: Sequence[tuple[str, int]], limit: int = 5) -> list[str]:
    """Existing tags nearest to a topic that matched nobody; the most common ones when none is near."""
    near = [tag for tag, _ in fuzzy_match(topic, [t for t, _ in counts], cutoff=0.3, limit=limit)]
    if near:
        return near
    return [tag for tag, _ in sorted(counts, key=lambda c: (-c[1], c[0]))[:limit]]
