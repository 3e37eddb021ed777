"""An independent checker of a season's circles: re-derives every hard rule from the raw inputs.

It shares no code with the circles engine (only the model's data types), so a bug in the engine
cannot hide itself here. Hard rules (PRODUCT.md, "Interest circles"):
- every member of a circle listed the circle's topic as an interest or as expertise;
- no two members of a circle are blocked (either way) or manager and report;
- each person is in at most one circle, and only people of the season are in circles;
- a circle holds max(3, size - 1) .. min(8, size + 1) people (8 is Slack's group-DM limit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from serendip.domain.circles.model import Circle, CircleSettings, Participant

SMALLEST_CIRCLE = 3
LARGEST_CIRCLE = 8


def check_circles(
    people: Sequence[Participant], settings: CircleSettings, circles: Sequence[Circle]
) -> list[str]:
    """Every hard-rule break of these circles, in plain words (empty when they are valid)."""
    problems = [
        f"{pid} is listed {n} times among the people" for pid, n in sorted(_repeated(p.id for p in people))
    ]
    by_id = {p.id: p for p in people}
    smallest, largest = max(SMALLEST_CIRCLE, settings.size - 1), min(LARGEST_CIRCLE, settings.size + 1)
    for number, circle in enumerate(circles, start=1):
        members = set(circle.members)
        if not smallest <= len(circle.members) <= largest:
            problems.append(
                f"{_name(number, circle)} has {len(circle.members)} members, outside {smallest}..{largest}"
            )
        if len(members) != len(circle.members):
            problems += [
                f"{_name(number, circle)} lists {pid} {n} times"
                for pid, n in sorted(_repeated(circle.members))
            ]
        for pid in circle.members:
            person = by_id.get(pid)
            if person is None:
                problems.append(f"{_name(number, circle)} has {pid}, who is not in this season")
                continue
            if circle.topic not in person.interests and circle.topic not in person.expertise:
                problems.append(f"{_name(number, circle)} has {pid}, who did not list {circle.topic!r}")
            if person.blocked and not person.blocked.isdisjoint(members):
                for other in sorted(person.blocked & members - {pid}):
                    problems.append(f"{_name(number, circle)} has {pid} and {other}, whom {pid} blocked")
            if person.manager_id is not None and person.manager_id != pid and person.manager_id in members:
                problems.append(f"{_name(number, circle)} has {pid} and their manager {person.manager_id}")
    seats = Counter(pid for circle in circles for pid in set(circle.members))
    problems += [f"{pid} is in {n} circles" for pid, n in sorted(seats.items()) if n > 1]
    return problems


def _name(number: int, circle: Circle) -> str:
    """How a circle is named in a problem: its place in the list and its topic."""
    return f"circle {number} ({circle.topic})"


def _repeated(ids: Iterable[str]) -> list[tuple[str, int]]:
    """Ids that occur more than once, with how often."""
    counts = Counter(ids)
    return [(pid, n) for pid, n in counts.items() if n > 1]
