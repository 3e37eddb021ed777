"""What a formed season reports: its figures (recounted from the circles) and why people stayed out."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice

from serendip.domain.circles.draft import SeasonDraft
from serendip.domain.circles.model import CirclesQuality, Unplaced
from serendip.domain.circles.roster import Roster
from serendip.domain.circles.sizes import Sizes
from serendip.domain.circles.tally import THREE, Tally, tally

NO_TOPICS = "no topics listed"
TOO_FEW = "too few people listed your topics to form a circle this season"
NONE_FORMED = "no circle formed on your topics this season"
CONFLICTED = (
    "every circle on your topics with room this season has someone you blocked, who blocked you,"
    " or your manager or report"
)
FULL = "the circles on your topics were full this season"
SUGGESTED = 3  # topics suggested to someone left out


def measure(roster: Roster, draft: SeasonDraft, counted: Mapping[int, Tally]) -> CirclesQuality:
    """The season's figures, counted from the circles as formed (`counted`: circles already counted)."""
    found = []
    for c, (members, topic) in enumerate(zip(draft.circles, draft.topic, strict=True)):
        known = counted.get(c)
        if known is not None and known.members == tuple(members):
            found.append(known)
        elif members:
            found.append(tally(roster, members, topic))
    with_topics = sum(1 for tags in roster.tags if tags)
    placed = sum(len(t.members) for t in found)
    pairs = sum(len(t.members) * (len(t.members) - 1) // 2 for t in found)
    scores = [t.score() for t in found]
    return CirclesQuality(
        people=roster.size,
        people_with_topics=with_topics,
        placed=placed,
        placed_share=round(placed / with_topics, 6) if with_topics else 1.0,
        circles=len(found),
        mean_departments=round(sum(s[1] for s in scores) / len(found), 6) if found else 0.0,
        circles_with_three_departments=sum(1 for s in scores if s[1] >= THREE),
        last_season_pairs=sum(t.repeats for t in found),
        expert_learner_circles=sum(s[3] for s in scores),
        tz_overlap_rate=round((pairs - sum(t.apart for t in found)) / pairs, 6) if pairs else 0.0,
    )


def left_out(roster: Roster, draft: SeasonDraft, sizes: Sizes) -> list[Unplaced]:
    """Everyone in no circle, with the reason shown to them and popular topics that would place them."""
    listed = [0] * len(roster.topic_names)
    for tags in roster.tags:
        for t in tags:
            listed[t] += 1
    popular = _popular_topics(roster, draft)
    out = []
    for i, p in enumerate(roster.people):
        if draft.where[i] >= 0:
            continue
        tags = roster.tags[i]
        suggested = tuple(
            roster.topic_names[t] for t in islice((t for t in popular if t not in tags), SUGGESTED)
        )
        if not tags:
            reason = NO_TOPICS
        elif all(listed[t] < sizes.smallest for t in tags):
            reason = TOO_FEW
        elif not any(draft.by_topic[t] for t in tags):
            reason = NONE_FORMED
        elif any(len(draft.circles[c]) < sizes.largest for t in tags for c in draft.by_topic[t]):
            reason = CONFLICTED
        else:
            reason = FULL
        out.append(Unplaced(p.id, reason, suggested))
    return out


def _popular_topics(roster: Roster, draft: SeasonDraft) -> list[int]:
    """Topics that formed circles, most members first (then by name)."""
    members = [0] * len(roster.topic_names)
    for m, t in zip(draft.circles, draft.topic, strict=True):
        members[t] += len(m)
    return sorted((t for t, k in enumerate(members) if k), key=lambda t: (-members[t], roster.topic_names[t]))
