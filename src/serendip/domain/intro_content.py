"""What an intro says: who each person is, what they share, a starter and overlapping hours."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

STARTERS = (
    "What's something your team does that the rest of the company might not know about?",
    "What's a problem you've been chewing on lately that someone outside your team might see differently?",
    "What did you work on before this role, and what surprised you when you switched?",
    "Which tool, book or habit has saved you the most time this year?",
    "If you could borrow one person from another team for a week, what would you build?",
    "What's the best thing you learned from a colleague recently?",
    "What does a great week look like in your job?",
    "What's a question you wish more people asked you about your work?",
)


@dataclass(frozen=True)
class IntroPerson:
    """One person as the intro presents them."""

    slack_id: str
    name: str
    department: str | None
    title: str | None
    tz: str
    utc_offset_minutes: int
    working_hours: tuple[int, int]
    expertise: frozenset[str]
    interests: frozenset[str]


@dataclass(frozen=True)
class IntroCard:
    """Everything the intro message shows."""

    intro_id: int
    people: tuple[IntroPerson, ...]
    shared: tuple[str, ...]
    teaches: tuple[tuple[str, str, str], ...]  # (teacher slack id, learner slack id, tag)
    starter: str
    overlap_utc: tuple[int, int] | None  # minutes from UTC midnight, start/end
    topic: str | None = None  # a circle's topic (a circle's intro, not a round's)


def working_window_utc(person: IntroPerson) -> tuple[int, int]:
    """A person's working hours in minutes from UTC midnight (may run past 1440)."""
    start, end = person.working_hours
    return start - person.utc_offset_minutes, end - person.utc_offset_minutes


def overlap_utc(people: Sequence[IntroPerson]) -> tuple[int, int] | None:
    """The longest common working window of everyone, in UTC minutes, or None."""
    best: tuple[int, int] | None = None
    windows = [working_window_utc(p) for p in people]
    # Windows may wrap midnight; try each shift of a day and keep the widest common window.
    for shift in (-1440, 0, 1440):
        start = max([windows[0][0] + shift] + [w[0] for w in windows[1:]])
        end = min([windows[0][1] + shift] + [w[1] for w in windows[1:]])
        if end - start >= 30 and (best is None or end - start > best[1] - best[0]):
            best = (start, end)
    return best


def build_card(intro_id: int, people: Sequence[IntroPerson], seed: int) -> IntroCard:
    """Compose the intro for a group, choosing the starter deterministically from the seed."""
    shared: frozenset[str] = frozenset()
    if people:
        shared = frozenset.intersection(*[p.interests for p in people]) | frozenset.intersection(
            *[p.expertise for p in people]
        )
    teaches = tuple(
        (a.slack_id, b.slack_id, tag)
        for a in people
        for b in people
        if a is not b
        for tag in sorted(a.expertise & b.interests)
    )
    starter = random.Random(seed * 1_000_003 + intro_id).choice(STARTERS)
    return IntroCard(
        intro_id, tuple(people), tuple(sorted(shared)), teaches[:6], starter, overlap_utc(people)
    )
