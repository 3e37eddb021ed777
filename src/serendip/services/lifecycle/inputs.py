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


# Participant's fields in order, but the last (cross_team_ties).
ParticipantFields = tuple[
    str, str | None, int, tuple[int, int], frozenset[str], frozenset[str], str | None, frozenset[str]
]


@dataclass(frozen=True)
class PreparedPeople:
    """The people as read, made ready to become participants: each member id with the
    `Participant` fields but the ties (which need the pairing history), in Slack id order."""

    member_ids: list[int]
    fields: list[ParticipantFields]  # Participant(*fields, cross_team_ties)


def prepare_people(rows: PeopleRows, *, offsets_at: datetime) -> PreparedPeople:
    """Everything about the people that needs no history (zones at ``offsets_at``, tag sets, blocks):
    done while the history is still being read."""
    blocked: dict[int, set[str]] = {}
    for member_id, other in rows.blocks:
        blocked.setdefault(member_id, set()).add(other)
    offset = functools.cache(lambda tz, fallback: offset_minutes_at(tz, offsets_at, fallback))
    empty: frozenset[str] = frozenset()
    tag_sets = _TagSets()
    return PreparedPeople(
        [p.member_id for p in rows.people],
        [
            (
                p.slack_id,
                p.department,
                offset(p.tz, p.tz_offset_minutes),
                (p.work_start_minute, p.work_end_minute),
                tag_sets.of(p.expertise),
                tag_sets.of(p.interests),
                p.manager_slack_id,
                frozenset(blocked[p.member_id]) if p.member_id in blocked else empty,
            )
            for p in rows.people
        ],
    )


def build_inputs(
    program: Program, people: PreparedPeople, seats: Seats, *, skip: Collection[int]
) -> RoundInputs:
    """The round's inputs: the prepared people less the member ids in ``skip``, as participants with
    their ties, and the history named by their Slack ids."""
    kept = [(m, f) for m, f in zip(people.member_ids, people.fields, strict=True) if m not in skip]
    history = read_history(program, seats, {m: f[0] for m, f in kept})
    person_ties, dept_ties = ties(seats, {m: f[1] for m, f in kept})
    participants = [Participant(*f, person_ties[m]) for m, f in kept]
    return RoundInputs(
        program_id=program.id,
        group_size=program.group_size,
        repeat_mode=program.repeat_mode,
        cooldown=program.cooldown_rounds,
        participants=participants,
        member_ids={f[0]: m for m, f in kept},
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
