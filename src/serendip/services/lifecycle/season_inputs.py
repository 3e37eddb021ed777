"""What a season is formed from: the program's eligible people (departments, tags, zones, managers,
blocks, read as a round reads them) and last season's circles, by Slack id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from serendip.adapters.db import season_store
from serendip.adapters.db.models import Program
from serendip.domain.circles.model import MAX_CIRCLE_SETTING, MIN_CIRCLE_SETTING, CircleSettings, Participant
from serendip.services.lifecycle.inputs import build_inputs, prepare_people, read_people
from serendip.services.lifecycle.seats import Seats

NO_SEATS = Seats.from_rounds([])  # circles weigh last season's circles, not every past intro


@dataclass(frozen=True)
class SeasonInputs:
    """A circles program's size, eligible people (as participants) and last season's circles."""

    program_id: int
    size: int
    participants: list[Participant]
    member_ids: dict[str, int]  # Slack id -> member id of each participant
    last_season: list[frozenset[str]]

    @property
    def slack_ids(self) -> list[str]:
        """The participants' Slack ids, sorted."""
        return [p.id for p in self.participants]

    def settings(self, seed: int) -> CircleSettings:
        """The engine's settings for this season and seed."""
        return CircleSettings(size=self.size, seed=seed, last_season=tuple(self.last_season))


def read_season(
    session: Session, program: Program, *, eligible_at: datetime, offsets_at: datetime
) -> SeasonInputs:
    """The season's inputs: everyone eligible at ``eligible_at`` (zones at ``offsets_at``) and the
    circles of the program's newest season so far (its members who are eligible now, by Slack id)."""
    rows = read_people(session, program.id, eligible_at)
    inputs = build_inputs(program, prepare_people(rows, offsets_at=offsets_at), NO_SEATS, skip=())
    previous = season_store.newest_season(session, program.id)
    last = season_store.season_circles(session, previous.round_id) if previous is not None else []
    here = set(inputs.member_ids)
    last_season = [kept for circle in last if len(kept := circle & here) >= 2]
    # A size stored by hand outside the kind's range would stop the engine: the nearest allowed.
    size = min(max(program.group_size, MIN_CIRCLE_SETTING), MAX_CIRCLE_SETTING)
    return SeasonInputs(program.id, size, inputs.participants, inputs.member_ids, last_season)
