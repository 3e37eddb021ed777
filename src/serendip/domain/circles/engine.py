"""`form_circles`: a season's people to topic circles, hard rules first, then placement, then the rest.

1. Each person with a usable topic goes to one of their topics (`topics`), scarce people first,
   then head-counts are rebalanced so each topic's count can be cut into circles within bounds.
2. Each topic is cut into circles dealt round-robin by department inside time-zone bands, and
   conflicts are swapped away (`split`).
3. Whoever is left joins a circle with room on any topic they listed, or forms new circles with
   other leftovers (`leftovers`).
4. A bounded local search improves departments, last season's pairs, expert-learner mixes and
   common hours without breaking a rule or unplacing anyone (`improve`).

The local search stops after a number of evaluated changes that depends only on the input (so a
seed always gives the same season); `CircleSettings.time_budget_seconds`, when set, also stops it
at that deadline (then the season may depend on the machine's speed).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from serendip.collector import collector_paused
from serendip.domain.circles.draft import SeasonDraft
from serendip.domain.circles.figures import left_out, measure
from serendip.domain.circles.improve import improve
from serendip.domain.circles.leftovers import join_circles, place_leftovers
from serendip.domain.circles.model import Circle, CircleSettings, Participant, SeasonPlan
from serendip.domain.circles.roster import Roster, build_roster
from serendip.domain.circles.sizes import Sizes
from serendip.domain.circles.split import form_topic
from serendip.domain.circles.topics import assign_topics

# The local search's deterministic work budget: evaluated changes, one per four people placed, at least
# a floor (a small org gets a thorough search; a large one stays within seconds).
PEOPLE_PER_EVALUATION, MIN_EVALUATIONS = 4, 20_000


def form_circles(people: Sequence[Participant], settings: CircleSettings) -> SeasonPlan:
    """Form a season's circles (deterministic for the seed, whatever the order of `people`)."""
    # ~10^5 short-lived objects on a large org: the cyclic collector would rescan the caller's heap.
    with collector_paused():
        return _form_circles(people, settings)


def _form_circles(people: Sequence[Participant], settings: CircleSettings) -> SeasonPlan:
    """`form_circles` proper."""
    started = time.perf_counter()
    deadline = None if settings.time_budget_seconds is None else started + settings.time_budget_seconds
    roster = build_roster(people, settings.seed, settings.last_season)
    sizes = Sizes.for_size(settings.size)
    draft = SeasonDraft.empty(roster.size, len(roster.topic_names))
    leftovers: list[int] = []
    for topic, members in enumerate(assign_topics(roster, sizes)):
        if members:
            formed = form_topic(roster, sizes, members)
            for circle in formed.circles:
                draft.add(circle, topic)
            leftovers += formed.surplus + formed.conflicted
    left = place_leftovers(roster, sizes, draft, leftovers)
    placed = sum(map(len, draft.circles))
    counted = improve(
        roster,
        sizes,
        draft,
        max_evaluations=max(MIN_EVALUATIONS, placed // PEOPLE_PER_EVALUATION),
        deadline=deadline,
    )
    join_circles(roster, sizes, draft, left)  # moves may have opened room
    return SeasonPlan(
        circles=_circles(roster, draft),
        unplaced=left_out(roster, draft, sizes),
        quality=measure(roster, draft, counted),
        seed=settings.seed,
    )


def _circles(roster: Roster, draft: SeasonDraft) -> list[Circle]:
    """The draft as circles of ids, members sorted, circles by topic then members."""
    ids = [p.id for p in roster.people]
    out = [
        Circle(roster.topic_names[t], tuple(sorted(ids[i] for i in members)))
        for members, t in zip(draft.circles, draft.topic, strict=True)
        if members
    ]
    return sorted(out, key=lambda c: (c.topic, c.members))
