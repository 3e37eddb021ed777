"""Hypothesis strategies for small organisations with history, blocks and managers."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

from serendip.domain.matching import Participant

DEPARTMENTS = ["eng", "sales", "ops", "hr"]
TAGS = ["python", "chess", "design", "sql", "music"]


@dataclass(frozen=True)
class Org:
    people: list[Participant]
    history: list[list[list[str]]]


@st.composite
def orgs(
    draw: st.DrawFn, min_size: int = 0, max_size: int = 12, constraints: bool = True, history_rounds: int = 3
) -> Org:
    """People with departments, zones, tags; optionally blocks/managers; a few past rounds."""
    n = draw(st.integers(min_size, max_size))
    ids = [f"U{i:02d}" for i in range(n)]
    people = []
    for pid in ids:
        people.append(
            Participant(
                id=pid,
                department=draw(st.sampled_from([*DEPARTMENTS, None]))
                if draw(st.booleans())
                else draw(st.sampled_from(DEPARTMENTS[:2])),
                utc_offset_minutes=draw(st.sampled_from([0, 60, 330, -300, 540])),
                interests=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
                expertise=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
                cross_team_ties=draw(st.integers(0, 5)),
            )
        )
    if constraints and n >= 2:
        for _ in range(draw(st.integers(0, n // 2))):
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            if i != j:
                people[i] = replace(people[i], blocked=people[i].blocked | {ids[j]})
        for _ in range(draw(st.integers(0, 2))):
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            if i != j:
                people[i] = replace(people[i], manager_id=ids[j])
    history = []
    for _ in range(draw(st.integers(0, history_rounds))):
        order = draw(st.permutations(ids))
        size = draw(st.integers(2, 4))
        history.append(
            [
                list(order[k : k + size])
                for k in range(0, len(order) - 1, size)
                if len(order[k : k + size]) > 1
            ]
        )
    return Org(people, history)
