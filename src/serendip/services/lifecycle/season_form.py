"""Forming a season's circles: the circles engine on the season's inputs, then its independent
checker; the figures stored with the season, and the preview `admin preview` shows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from serendip.domain.circles import check_circles, form_circles
from serendip.domain.circles.model import CircleSettings, Participant, SeasonPlan, Unplaced
from serendip.domain.departments import department_key
from serendip.services.lifecycle.season_inputs import SeasonInputs

log = logging.getLogger(__name__)

Former = Callable[[Sequence[Participant], CircleSettings], SeasonPlan]
LEFT_OUT = "no circle could take you this season"  # for anyone the engine neither placed nor listed


@dataclass(frozen=True)
class CheckedSeason:
    """The engine's season, the checker's violations, and everyone not placed with a reason."""

    plan: SeasonPlan
    violations: list[str]
    unplaced: list[Unplaced]
    departments: list[int]  # distinct departments in each circle, in the plan's order

    def quality(self, eligible: int) -> dict[str, Any]:
        """Figures stored with the season: the engine's, the eligible and unplaced counts."""
        return {
            **self.plan.quality.to_dict(),
            "eligible": eligible,
            "unplaced": len(self.unplaced),
            "min_departments": min(self.departments, default=0),
        }


def form_and_check(inputs: SeasonInputs, seed: int, former: Former = form_circles) -> CheckedSeason:
    """Form the season's circles and check them independently (no database session is open here)."""
    settings = inputs.settings(seed)
    plan = former(inputs.participants, settings)
    violations = check_circles(inputs.participants, settings, plan.circles)
    placed = {member for circle in plan.circles for member in circle.members}
    listed = {u.id: u for u in plan.unplaced if u.id not in placed}
    missing = [p.id for p in inputs.participants if p.id not in placed and p.id not in listed]
    if missing:  # the engine's report lost someone: they are told all the same
        log.warning(
            "season.unplaced_unlisted program_id=%s seed=%d count=%d", inputs.program_id, seed, len(missing)
        )
    unplaced = [*listed.values(), *(Unplaced(pid, LEFT_OUT) for pid in missing)]
    keys = {p.id: department_key(p.department) for p in inputs.participants}
    departments = [len({keys[m] for m in c.members if keys.get(m)}) for c in plan.circles]
    log.info(
        "season.formed program_id=%s seed=%d eligible=%d circles=%d unplaced=%d violations=%d",
        inputs.program_id,
        seed,
        len(inputs.participants),
        len(plan.circles),
        len(unplaced),
        len(violations),
    )
    return CheckedSeason(plan, violations, sorted(unplaced, key=lambda u: u.id), departments)
