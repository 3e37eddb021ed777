"""The circles engine: hard rules on random organisations (checked by the independent checker),
determinism, boundaries, and the priorities after the hard rules."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.domain.circles import check_circles, form_circles
from serendip.domain.circles.model import CircleSettings, Participant, SeasonPlan, circle_bounds
from serendip.domain.circles.roster import build_roster
from serendip.domain.circles.tally import changed_score, tally
from serendip.domain.departments import department_key
from serendip.domain.round_check import overlap_minutes

TOPICS = ["python", "chess", "design", "sql", "music", "go"]
DEPARTMENTS = ["Eng", "eng ", "Sales", "Ops", "HR", None]
OFFSETS = [0, 60, 330, -300, -480, 540, 720]
HOURS = [(540, 1020), (0, 0), (1320, 360), (600, 630)]  # usual, all day, over midnight, half an hour
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Case:
    people: list[Participant]
    settings: CircleSettings


@st.composite
def cases(draw: st.DrawFn, max_people: int = 40) -> Case:
    """Random organisations: departments, zones, hours, tags, blocks, managers, a last season."""
    n = draw(st.integers(0, max_people))
    ids = [f"U{k:02d}" for k in range(n)]
    tags = st.frozensets(st.sampled_from(TOPICS[: draw(st.integers(1, len(TOPICS)))]), max_size=3)
    people = [
        Participant(
            pid,
            department=draw(st.sampled_from(DEPARTMENTS)),
            utc_offset_minutes=draw(st.sampled_from(OFFSETS)),
            working_hours=draw(st.sampled_from(HOURS)),
            interests=draw(tags),
            expertise=draw(tags),
        )
        for pid in ids
    ]
    if n >= 2:
        for _ in range(draw(st.integers(0, n))):
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            people[i] = replace(people[i], blocked=people[i].blocked | {ids[j], "someone-who-left"})
        for i in range(1, n):
            if draw(st.booleans()):
                people[i] = replace(people[i], manager_id=ids[draw(st.integers(0, i - 1))])
    last = (
        [frozenset(draw(st.lists(st.sampled_from(ids), max_size=6))) for _ in range(draw(st.integers(0, 4)))]
        if ids
        else []
    )
    size = draw(st.integers(3, 8))
    return Case(people, CircleSettings(size=size, seed=draw(st.integers(0, 2**32)), last_season=last))


def form(case: Case) -> SeasonPlan:
    return form_circles(case.people, case.settings)


@SETTINGS
@given(cases())
def test_the_checker_finds_no_broken_rule_in_any_season(case: Case) -> None:
    plan = form(case)
    assert check_circles(case.people, case.settings, plan.circles) == []


@SETTINGS
@given(cases())
def test_everyone_is_either_in_one_circle_or_told_why_not(case: Case) -> None:
    plan = form(case)
    placed = [m for c in plan.circles for m in c.members]
    told = [u.id for u in plan.unplaced]
    assert len(placed) == len(set(placed))
    assert sorted(placed + told) == sorted(p.id for p in case.people)
    assert all(u.reason for u in plan.unplaced)
    listed = {p.id: p.interests | p.expertise for p in case.people}
    assert all(not set(u.suggested_topics) & listed[u.id] for u in plan.unplaced)


@SETTINGS
@given(cases())
def test_the_figures_are_recounted_from_the_circles(case: Case) -> None:
    plan = form(case)
    q, smallest = plan.quality, circle_bounds(case.settings.size)[0]
    tagged = sum(1 for p in case.people if p.interests or p.expertise)
    assert (q.people, q.people_with_topics, q.circles) == (len(case.people), tagged, len(plan.circles))
    assert q.placed == sum(len(c.members) for c in plan.circles) >= smallest * q.circles
    assert q.placed_share == (round(q.placed / tagged, 6) if tagged else 1.0)
    assert 0 <= q.expert_learner_circles <= q.circles and 0.0 <= q.tz_overlap_rate <= 1.0
    assert q.circles_with_three_departments <= q.circles
    last = [set(c) for c in case.settings.last_season]
    pairs = [(a, b) for c in plan.circles for a, b in combinations(c.members, 2)]
    assert q.last_season_pairs == sum(1 for a, b in pairs if any({a, b} <= s for s in last))
    by_id = {p.id: p for p in case.people}
    together = sum(1 for a, b in pairs if overlap_minutes(by_id[a], by_id[b]) >= 60)
    assert q.tz_overlap_rate == (round(together / len(pairs), 6) if pairs else 0.0)
    teams = [len({department_key(by_id[m].department) for m in c.members} - {None}) for c in plan.circles]
    assert q.mean_departments == (round(sum(teams) / len(teams), 6) if teams else 0.0)
    assert q.circles_with_three_departments == sum(1 for k in teams if k >= 3)
    mixed = [
        c
        for c in plan.circles
        if any(
            c.topic in by_id[a].expertise and c.topic in by_id[b].interests
            for a in c.members
            for b in c.members
            if a != b
        )
    ]
    assert q.expert_learner_circles == len(mixed)


@settings(SETTINGS, max_examples=60)
@given(cases(), st.randoms(use_true_random=False))
def test_the_same_seed_forms_the_same_season_whatever_the_input_order(case: Case, rng: random.Random) -> None:
    shuffled = list(case.people)
    rng.shuffle(shuffled)
    assert form(case) == form_circles(shuffled, case.settings)


@settings(SETTINGS, max_examples=60)
@given(cases())
def test_a_circle_is_formed_whenever_enough_unconstrained_people_share_a_topic(case: Case) -> None:
    free = [replace(p, blocked=frozenset(), manager_id=None) for p in case.people]
    plan = form_circles(free, case.settings)
    smallest = circle_bounds(case.settings.size)[0]
    counts: dict[str, int] = {}
    for p in free:
        for t in p.interests | p.expertise:
            counts[t] = counts.get(t, 0) + 1
    if any(k >= smallest for k in counts.values()):
        assert plan.circles


def people_on(
    topic: str, count: int, *, prefix: str = "p", department: str | None = None
) -> list[Participant]:
    return [
        Participant(f"{prefix}{k:02d}", department=department, interests=frozenset({topic}))
        for k in range(count)
    ]


def test_nobody_forms_nothing() -> None:
    plan = form_circles([], CircleSettings())
    assert plan.circles == [] and plan.unplaced == []
    assert plan.quality.placed_share == 1.0 and plan.quality.mean_departments == 0.0


def test_one_person_is_told_there_were_too_few_on_their_topic() -> None:
    plan = form_circles(people_on("chess", 1), CircleSettings())
    assert plan.circles == []
    (alone,) = plan.unplaced
    assert alone.reason == "too few people listed your topics to form a circle this season"


def test_two_people_on_a_topic_form_no_circle() -> None:
    plan = form_circles(people_on("chess", 2), CircleSettings(size=3))
    assert plan.circles == [] and len(plan.unplaced) == 2


def test_exactly_three_on_a_topic_form_one_circle_of_three() -> None:
    plan = form_circles(people_on("chess", 3), CircleSettings(size=3))
    assert [c.members for c in plan.circles] == [("p00", "p01", "p02")] and plan.unplaced == []


def test_the_largest_size_forms_a_circle_of_eight() -> None:
    plan = form_circles(people_on("chess", 8), CircleSettings(size=8))
    assert [len(c.members) for c in plan.circles] == [8]


def test_a_head_count_between_fitting_sizes_leaves_the_fewest_out() -> None:
    plan = form_circles(people_on("chess", 10), CircleSettings(size=8))  # circles of 7..8
    assert [len(c.members) for c in plan.circles] == [8]
    assert [u.reason for u in plan.unplaced] == ["the circles on your topics were full this season"] * 2


def test_sizes_stay_within_bounds_for_every_setting() -> None:
    for size in range(3, 9):
        smallest, largest = circle_bounds(size)
        for n in range(0, 40):
            plan = form_circles(people_on("chess", n), CircleSettings(size=size))
            assert all(smallest <= len(c.members) <= largest for c in plan.circles)


def test_people_without_topics_are_told_and_shown_popular_topics() -> None:
    people = [*people_on("chess", 6), *people_on("go", 4, prefix="g"), Participant("x")]
    plan = form_circles(people, CircleSettings(size=4))
    (told,) = plan.unplaced
    assert told.id == "x" and told.reason == "no topics listed"
    assert told.suggested_topics == ("chess", "go")


def test_everyone_without_topics_forms_nothing_and_gets_no_suggestion() -> None:
    plan = form_circles([Participant(f"u{k}") for k in range(10)], CircleSettings())
    assert plan.circles == [] and {u.reason for u in plan.unplaced} == {"no topics listed"}
    assert all(u.suggested_topics == () for u in plan.unplaced)
    assert plan.quality.placed_share == 1.0


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate participant id 'a'"):
        form_circles([Participant("a"), Participant("a")], CircleSettings())


def test_a_blocked_pair_never_shares_the_only_circle() -> None:
    people = people_on("chess", 5)
    people[0] = replace(people[0], blocked=frozenset({"p01"}))
    plan = form_circles(people, CircleSettings(size=5))  # circles of 4..6: one of them stays out
    assert [len(c.members) for c in plan.circles] == [4]
    assert check_circles(people, CircleSettings(size=5), plan.circles) == []
    (out,) = plan.unplaced
    assert out.id in {"p00", "p01"}
    assert out.reason == (
        "every circle on your topics with room this season has someone you blocked, who blocked you,"
        " or your manager or report"
    )


def test_a_manager_and_their_reports_are_spread_over_circles() -> None:
    people = people_on("chess", 12)
    people = [people[0], *(replace(p, manager_id="p00") for p in people[1:4]), *people[4:]]
    plan = form_circles(people, CircleSettings(size=4))
    assert check_circles(people, CircleSettings(size=4), plan.circles) == [] and not plan.unplaced


def test_all_one_department_still_forms_circles() -> None:
    plan = form_circles(people_on("chess", 20, department="Eng"), CircleSettings())
    assert plan.quality.placed == 20 and plan.quality.mean_departments == 1.0


def test_circles_take_one_person_of_each_department_where_they_can() -> None:
    people = [
        Participant(f"{d}{k}", department=d, interests=frozenset({"chess"})) for d in "abcd" for k in range(5)
    ]
    plan = form_circles(people, CircleSettings(size=4))
    assert len(plan.circles) == 5 and plan.quality.mean_departments == 4.0


def test_someone_whose_only_topic_is_scarce_is_placed_before_people_with_choices() -> None:
    knitters = [Participant("only-knits", interests=frozenset({"knitting"}))] + [
        Participant(f"k{k}", interests=frozenset({"knitting", "python"})) for k in range(2)
    ]
    plan = form_circles([*knitters, *people_on("python", 6)], CircleSettings(size=3))
    assert not plan.unplaced
    assert ("k0", "k1", "only-knits") in [c.members for c in plan.circles if c.topic == "knitting"]


def test_a_topic_too_few_listed_sends_its_listers_to_their_other_topics() -> None:
    rare = [Participant(f"r{k}", interests=frozenset({"rare", "python"})) for k in range(2)]
    plan = form_circles([*rare, *people_on("python", 6)], CircleSettings(size=4))
    assert not plan.unplaced and {c.topic for c in plan.circles} == {"python"}


def test_last_seasons_pairs_are_split_up_where_departments_allow() -> None:
    people = people_on("chess", 10)
    last = [frozenset(f"p{k:02d}" for k in range(5)), frozenset(f"p{k:02d}" for k in range(5, 10))]
    plan = form_circles(people, CircleSettings(size=5, last_season=last))
    assert plan.quality.last_season_pairs <= 8  # 3 + 2 of one circle and 2 + 3 of the other, at best


def test_a_circle_mixes_someone_who_knows_the_topic_with_people_who_want_to_learn_it() -> None:
    experts = [Participant(f"e{k}", expertise=frozenset({"chess"})) for k in range(2)]
    plan = form_circles([*experts, *people_on("chess", 6)], CircleSettings(size=4))
    assert plan.quality.expert_learner_circles == 2


def test_people_far_apart_in_time_go_to_different_circles() -> None:
    people = [
        Participant(f"{zone}{k}", utc_offset_minutes=offset, interests=frozenset({"chess"}))
        for zone, offset in (("tokyo", 540), ("nyc", -300))
        for k in range(4)
    ]
    plan = form_circles(people, CircleSettings(size=4))
    assert plan.quality.tz_overlap_rate == 1.0
    assert sorted(c.members[0][:3] for c in plan.circles) == ["nyc", "tok"]


def test_no_time_budget_left_still_gives_a_valid_season() -> None:
    people = [
        Participant(f"u{k}", department=f"d{k % 7}", interests=frozenset({TOPICS[k % 4]})) for k in range(300)
    ]
    chosen = CircleSettings(size=5, time_budget_seconds=0.0)
    plan = form_circles(people, chosen)
    assert check_circles(people, chosen, plan.circles) == [] and plan.quality.placed == 300


@SETTINGS
@given(cases(max_people=12), st.data())
def test_a_circles_score_after_a_change_equals_its_recount(case: Case, data: st.DataObject) -> None:
    roster = build_roster(case.people, 0, case.settings.last_season)
    if roster.size < 2:
        return
    members = data.draw(st.lists(st.integers(0, roster.size - 1), min_size=1, max_size=8, unique=True))
    others = [i for i in range(roster.size) if i not in members]
    out = data.draw(st.sampled_from([None, *members]))
    into = data.draw(st.sampled_from([None, *others]))
    after = [m for m in members if m != out] + ([into] if into is not None else [])
    topic = data.draw(st.integers(0, max(0, len(roster.topic_names) - 1)))
    counted = tally(roster, members, topic)
    assert changed_score(roster, counted, topic, out, into) == tally(roster, after, topic).score()


@pytest.mark.parametrize("size", range(3, 9))
def test_a_large_org_with_dense_rules_breaks_none_of_them(size: int) -> None:
    rng = random.Random(size)
    ids = [f"U{k:04d}" for k in range(1500)]
    people = [
        Participant(
            pid,
            department=f"d{min(rng.randrange(40), rng.randrange(40))}",
            utc_offset_minutes=rng.choice(OFFSETS),
            interests=frozenset(rng.sample(TOPICS, rng.randrange(0, 3))),
            expertise=frozenset(rng.sample(TOPICS, rng.randrange(0, 2))),
            manager_id=ids[k // 4] if k else None,  # a manager tree four wide
            blocked=frozenset(rng.sample(ids, 3)) if rng.random() < 0.1 else frozenset(),
        )
        for k, pid in enumerate(ids)
    ]
    last = [frozenset(rng.sample(ids, size)) for _ in range(200)]
    chosen = CircleSettings(size=size, seed=size, last_season=last)
    plan = form_circles(people, chosen)
    assert check_circles(people, chosen, plan.circles) == []
    assert plan.quality.placed_share > 0.95 and plan.quality.mean_departments > 2.5
