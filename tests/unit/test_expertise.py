"""Ranking experts for a topic: match first, then shared hours, then who was asked least lately."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serendip.domain.expertise import (
    ExpertCandidate,
    closest_tags,
    overlap_minutes,
    rank_experts,
    topic_scores,
)


def _rank(candidates: list[ExpertCandidate], topic: str = "kubernetes", limit: int = 3) -> list[str]:
    ranked = rank_experts(topic, candidates, asker_offset=0, asker_hours=(540, 1020), limit=limit)
    return [r.candidate.slack_id for r in ranked]


def test_a_prefix_finds_the_tag_and_unrelated_tags_do_not_match() -> None:
    assert "kubernetes" in topic_scores("kube", ["kubernetes", "cooking"])
    assert "cooking" not in topic_scores("kube", ["kubernetes", "cooking"])


def test_one_word_of_a_longer_topic_is_enough() -> None:
    assert "postgresql" in topic_scores("tuning postgres queries", ["postgresql", "design"])


def test_a_better_match_beats_shared_hours_and_rarity() -> None:
    exact = ExpertCandidate(1, "UEXACT", frozenset({"kubernetes"}), utc_offset_minutes=600, recent_asks=5)
    loose = ExpertCandidate(2, "ULOOSE", frozenset({"kubernetes operators"}))
    assert _rank([loose, exact])[0] == "UEXACT"


def test_among_equal_matches_shared_hours_then_rarity_decide() -> None:
    far = ExpertCandidate(1, "UFAR", frozenset({"kubernetes"}), utc_offset_minutes=600)
    near_busy = ExpertCandidate(2, "UBUSY", frozenset({"kubernetes"}), recent_asks=4)
    near_rare = ExpertCandidate(3, "URARE", frozenset({"kubernetes"}))
    assert _rank([far, near_busy, near_rare]) == ["URARE", "UBUSY", "UFAR"]


def test_overlap_handles_zones_on_either_side_of_midnight() -> None:
    assert overlap_minutes(0, (540, 1020), 0, (540, 1020)) == 480
    assert overlap_minutes(0, (540, 1020), 540, (540, 1020)) == 0
    assert overlap_minutes(-480, (540, 1020), 600, (540, 1020)) == 120  # SF evening, Sydney morning
    assert overlap_minutes(600, (480, 1200), -600, (0, 120)) == 0
    assert overlap_minutes(660, (540, 1020), -420, (960, 1380)) > 0


@given(
    st.lists(
        st.sets(st.sampled_from(["kubernetes", "go", "python", "design", "kube"]), max_size=3), max_size=12
    ),
    st.integers(1, 5),
)
def test_ranking_returns_distinct_matching_people_best_first(tag_sets: list[set[str]], limit: int) -> None:
    candidates = [
        ExpertCandidate(i, f"U{i}", frozenset(t), recent_asks=i % 3) for i, t in enumerate(tag_sets)
    ]
    ranked = rank_experts("kube", candidates, asker_offset=0, asker_hours=(540, 1020), limit=limit)
    assert len(ranked) <= limit and len({r.candidate.slack_id for r in ranked}) == len(ranked)
    assert all(r.matched for r in ranked) and [r.score for r in ranked] == sorted(
        (r.score for r in ranked), reverse=True
    )


def test_closest_tags_fall_back_to_the_most_common() -> None:
    counts = [("kubernetes", 3), ("python", 5), ("go", 1)]
    assert closest_tags("kubernets", counts)[0] == "kubernetes"
    assert closest_tags("zzzz", counts) == ["python", "kubernetes", "go"]
