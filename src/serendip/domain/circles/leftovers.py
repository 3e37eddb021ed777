"""Second chances for people no circle took: a circle with room on any topic they listed, or new
circles among leftovers who share a topic."""

from __future__ import annotations

from serendip.domain.circles.draft import SeasonDraft
from serendip.domain.circles.roster import NO_TEAM, Roster
from serendip.domain.circles.sizes import Sizes
from serendip.domain.circles.split import form_topic


def place_leftovers(roster: Roster, sizes: Sizes, draft: SeasonDraft, leftovers: list[int]) -> list[int]:
    """Place whom we can of `leftovers` (scarce first); the people still unplaced."""
    left = join_circles(
        roster, sizes, draft, sorted(leftovers, key=lambda i: (len(roster.tags[i]), roster.rank[i]))
    )
    tried: set[int] = set()
    while True:
        listers: dict[int, int] = {}
        for i in left:
            for t in roster.tags[i]:
                if t not in tried:
                    listers[t] = listers.get(t, 0) + 1
        ready = [(count, -t) for t, count in listers.items() if count >= sizes.smallest]
        if not ready:
            break
        topic = -max(ready)[1]
        tried.add(topic)
        formed = form_topic(roster, sizes, [i for i in left if topic in roster.tags[i]])
        for circle in formed.circles:
            draft.add(circle, topic)
        left = [i for i in left if draft.where[i] < 0]
    return join_circles(roster, sizes, draft, left)


def join_circles(roster: Roster, sizes: Sizes, draft: SeasonDraft, people: list[int]) -> list[int]:
    """Add each person to the best circle with room on a topic they listed; those who fit none."""
    conflicts, team = roster.conflicts, roster.team
    left = []
    for i in people:
        best, best_key = -1, (False, 0, 0, 0)
        for t in roster.tags[i]:
            circles = draft.by_topic[t]
            if not circles:
                continue
            first = roster.rank[i] % len(circles)
            for k in range(len(circles)):
                c = circles[(first + k) % len(circles)]
                members = draft.circles[c]
                if len(members) >= sizes.largest or (
                    conflicts[i] and any(m in conflicts[i] for m in members)
                ):
                    continue
                key = (
                    team[i] != NO_TEAM and all(team[m] != team[i] for m in members),
                    -sum(1 for m in members if roster.met_last_season(i, m)),
                    sum(1 for m in members if roster.overlap(i, m)),
                    -len(members),
                )
                if best < 0 or key > best_key:
                    best, best_key = c, key
                    if key[:3] == (
                        True,
                        0,
                        len(members),
                    ):  # a new department, no repeat, common hours with all
                        break
            if best >= 0 and best_key[:3] == (True, 0, len(draft.circles[best])):
                break
        if best >= 0:
            draft.join(best, i)
        else:
            left.append(i)
    return left
