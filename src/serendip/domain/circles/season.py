"""A circle's rules during and at the end of its season: hosts, skips, merges, newcomers, the vote.

Members are plain integer ids here (the database's member ids); nothing is read or written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from serendip.domain.circles.model import MAX_CIRCLE_SETTING, MIN_CIRCLE
from serendip.domain.departments import department_key
from serendip.domain.lifecycle import CircleState

# A member who skipped this many meetings in a row is asked whether to stay (and again after as many).
SKIPS_BEFORE_ASKING = 3
# The keep-going vote is open this many days after the season ends.
VOTE_DAYS = 3
LARGEST_CIRCLE = MAX_CIRCLE_SETTING
SMALLEST_CIRCLE = MIN_CIRCLE

Pair = frozenset[int]


@dataclass(frozen=True)
class CircleView:
    """One active circle as the rules see it: its intro, topic and members."""

    intro_id: int
    topic: str
    members: frozenset[int]


def host_for(planned: int | None, members: Collection[int]) -> int | None:
    """The meeting's host: the planned one while still a member, else the next member after them
    (by id, wrapping round); None when the circle has nobody left."""
    present = sorted(members)
    if not present:
        return None
    if planned in present:
        return planned
    if planned is None:
        return present[0]
    later = [member for member in present if member > planned]
    return later[0] if later else present[0]


def host_rotation(members: Collection[int], hosted: Mapping[int, int], meetings: int) -> list[int]:
    """Hosts for the next ``meetings`` meetings: whoever hosted least so far goes first (then by id),
    and everyone hosts once before anyone hosts again."""
    if not members:
        return []
    counts = Counter({member: hosted.get(member, 0) for member in members})
    hosts = []
    for _ in range(meetings):
        host = min(counts, key=lambda member: (counts[member], member))
        hosts.append(host)
        counts[host] += 1
    return hosts


def skip_streak(answers: Sequence[str | None]) -> int:
    """How many of the member's latest meetings in a row they skipped (answers oldest first; None
    where they gave none, which ends a streak)."""
    streak = 0
    for answer in reversed(answers):
        if answer != "skipped":
            break
        streak += 1
    return streak


def should_ask_to_stay(streak: int) -> bool:
    """Whether a skip streak of this length asks the member whether to stay (at 3, 6, 9, ...)."""
    return streak >= SKIPS_BEFORE_ASKING and streak % SKIPS_BEFORE_ASKING == 0


def vote_outcome(votes: Sequence[bool]) -> CircleState:
    """A majority of the votes cast keeps the circle; no votes, a tie or a minority ends it."""
    keep = sum(1 for vote in votes if vote)
    return CircleState.KEPT if keep * 2 > len(votes) else CircleState.ENDED


def conflicted(a: Collection[int], b: Collection[int], conflicts: Collection[Pair]) -> bool:
    """Whether anyone of ``a`` may not share a circle with anyone of ``b`` (blocked, or manager and report)."""
    return any(frozenset((x, y)) in conflicts for x in a for y in b if x != y)


def merge_target(
    small: CircleView,
    others: Sequence[CircleView],
    tags: Mapping[int, frozenset[str]],
    conflicts: Collection[Pair] = frozenset(),
    *,
    largest: int = LARGEST_CIRCLE,
) -> CircleView | None:
    """The circle a too-small one merges into: one of the same topic with room (the smallest), else
    the nearest topic by its members' tags; None when no circle can take them all."""
    fits = [
        circle
        for circle in others
        if circle.intro_id != small.intro_id
        and not circle.members & small.members
        and len(circle.members) + len(small.members) <= largest
        and not conflicted(small.members, circle.members, conflicts)
    ]
    same = [circle for circle in fits if circle.topic == small.topic]
    if same:
        return min(same, key=lambda circle: (len(circle.members), circle.intro_id))
    scored = [(nearness(small, circle, tags), circle) for circle in fits]
    near = [(score, circle) for score, circle in scored if score > (0, 0)]
    if not near:
        return None
    return min(near, key=lambda item: (-item[0][0], -item[0][1], len(item[1].members), item[1].intro_id))[1]


def nearness(small: CircleView, circle: CircleView, tags: Mapping[int, frozenset[str]]) -> tuple[int, int]:
    """How near a circle is for a small one's members: how many of them listed its topic, then how
    many tags the two circles' members share."""
    listed = sum(1 for member in small.members if circle.topic in tags.get(member, frozenset()))
    mine = frozenset().union(*(tags.get(member, frozenset()) for member in small.members))
    theirs = frozenset().union(*(tags.get(member, frozenset()) for member in circle.members))
    return listed, len(mine & theirs)


def circle_for_newcomer(
    member: int,
    topics: Collection[str],
    circles: Sequence[CircleView],
    departments: Mapping[int, str | None],
    conflicts: Collection[Pair] = frozenset(),
    *,
    largest: int = LARGEST_CIRCLE,
) -> CircleView | None:
    """The circle someone joining mid-season is added to: one of their topics, with room, none of
    its members in conflict with them; one their department is new to first, then the smallest."""
    own = department_key(departments.get(member))
    fits = [
        circle
        for circle in circles
        if circle.topic in topics
        and member not in circle.members
        and len(circle.members) < largest
        and not conflicted((member,), circle.members, conflicts)
    ]
    if not fits:
        return None

    def new_department(circle: CircleView) -> bool:
        present = {department_key(departments.get(other)) for other in circle.members}
        return own is not None and own not in present

    return min(fits, key=lambda circle: (not new_department(circle), len(circle.members), circle.intro_id))
