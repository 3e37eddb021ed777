"""What a round is matched from, read set-based: one query per kind of data, only the columns used.

At 100,000 people the ORM's Member objects cost seconds and hundreds of MB, so the people, their
tags, blocks and the program's history are read as plain tuples, in one transaction, and turned into
the matcher's `Participant`s here. `plan` and `admin preview` both read through `reading.read_round`, so the
preview shows exactly the groups the round sends.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db.models import Program
from serendip.domain.matching import PairTies, Participant, PastGroups
from serendip.domain.zones import offset_minutes_at
from serendip.services.lifecycle.seats import Seats, ties


@dataclass(frozen=True)
class RoundInputs:
    """A program's settings, eligible people (as participants, by Slack id) and history, as read."""

    program_id: int
    group_size: int
    repeat_mode: str
    cooldown: int
    participants: list[Participant]
    member_ids: dict[str, int]  # Slack id -> member id of each participant
    history: PastGroups
    department_pair_ties: PairTies

    @property
    def slack_ids(self) -> list[str]:
        """The participants' Slack ids, sorted."""
        return [p.id for p in self.participants]


@dataclass(frozen=True)
class PeopleRows:
    """The program's eligible people, their tags and blocks, as read (before anyone is skipped)."""

    people: list[history_store.PlanPerson]
    blocks: list[tuple[int, str]]


def read_people(session: Session, program_id: int, eligible_at: datetime) -> PeopleRows:
    """The program's people eligible at ``eligible_at``, with their tags and blocks."""
    return PeopleRows(
        history_store.eligible_people(session, program_id, eligible_at),
        history_store.enrolled_blocks(session, program_id),
    )


def build_inputs(
    program: Program, rows: PeopleRows, seats: Seats, *, offsets_at: datetime, skip: Collection[int]
) -> RoundInputs:
    """The round's inputs from what was read: the people less the member ids in ``skip``, as
    participants (zones at ``offsets_at``), and the history named by their Slack ids."""
    people = [p for p in rows.people if p.member_id not in skip]
    ids = {p.member_id for p in people}
    blocked: dict[int, set[str]] = {}
    for member_id, other in rows.blocks:
        if member_id in ids:
            blocked.setdefault(member_id, set()).add(other)
    history = read_history(program, seats, {p.member_id: p.slack_id for p in people})
    person_ties, dept_ties = ties(seats, {p.member_id: p.department for p in people})
    offset = functools.cache(lambda tz, fallback: offset_minutes_at(tz, offsets_at, fallback))
    empty: frozenset[str] = frozenset()
    tag_sets = _TagSets()
    participants = [
        Participant(
            id=p.slack_id,
            department=p.department,
            utc_offset_minutes=offset(p.tz, p.tz_offset_minutes),
            working_hours=(p.work_start_minute, p.work_end_minute),
            expertise=tag_sets.of(p.expertise),
            interests=tag_sets.of(p.interests),
            manager_id=p.manager_slack_id,
            blocked=frozenset(blocked.get(p.member_id, empty)),
            cross_team_ties=person_ties[p.member_id],
        )
        for p in people
    ]
    return RoundInputs(
        program_id=program.id,
        group_size=program.group_size,
        repeat_mode=program.repeat_mode,
        cooldown=program.cooldown_rounds,
        participants=participants,
        member_ids={p.slack_id: p.member_id for p in people},
        history=history,
        department_pair_ties=dept_ties,
    )


class _TagSets:
    """One frozenset per distinct set of tags: ~100,000 people share a few thousand of them, and a
    text seen before (the usual case) costs one dict look-up."""

    def __init__(self) -> None:
        empty: frozenset[str] = frozenset()
        self._by_text: dict[str | None, frozenset[str]] = {None: empty}
        self._shared: dict[frozenset[str], frozenset[str]] = {empty: empty}

    def of(self, text: str | None) -> frozenset[str]:
        """The set of the tags in ``text`` (joined by TAG_SEPARATOR, in any order)."""
        found = self._by_text.get(text)
        if found is None:
            assert text is not None
            value = frozenset(t for t in text.split(history_store.TAG_SEPARATOR) if t)
            found = self._by_text[text] = self._shared.setdefault(value, value)
        return found


def read_history(program: Program, seats: Seats, names: dict[int, str]) -> PastGroups:
    """Groups of the program's last `cooldown` rounds (intros that did not fail), oldest round first,
    with each person named once by their Slack id from ``names`` (member id -> Slack id).

    Members missing from ``names`` are named "": the matcher and the checker count only pairs of
    people in the round, and a pair with someone who is not matched now can never repeat in it.
    """
    # The matcher and the checker read only the last `cooldown` rounds: name just those.
    count = len(seats.round_ids)
    window = (
        range(max(0, count - program.cooldown_rounds), count) if program.cooldown_rounds > 0 else range(0)
    )
    if not len(window):
        return PastGroups([], [])
    spans = [seats.span(p) for p in window]
    # Each member once (np.unique), each seat a number into that list: no string per seat.
    people, number = np.unique(np.concatenate([seats.member[lo:hi] for lo, hi in spans]), return_inverse=True)
    ids = [names.get(m, "") for m in people.tolist()]
    rounds, at = [], 0
    for lo, hi in spans:
        rounds.append((number[at : at + hi - lo], seats.group_sizes_in(lo, hi)))
        at += hi - lo
    return PastGroups(ids, rounds)
