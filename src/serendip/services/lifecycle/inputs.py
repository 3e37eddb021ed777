"""What a round is matched from, read set-based: one query per kind of data, only the columns used.

At 100,000 people the ORM's Member objects cost seconds and hundreds of MB, so the people, their
tags, blocks and the program's history are read as plain tuples, in one transaction, and turned into
the matcher's `Participant`s here. `plan` and `admin preview` both read through `read_inputs`, so the
preview shows exactly the groups the round sends.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

import numpy as np
from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db.models import Program
from serendip.domain.departments import department_key
from serendip.domain.matching import Participant
from serendip.domain.zones import offset_minutes_at

History = list[list[list[str]]]


@dataclass(frozen=True)
class RoundInputs:
    """A program's settings, eligible people (as participants, by Slack id) and history, as read."""

    program_id: int
    group_size: int
    repeat_mode: str
    cooldown: int
    participants: list[Participant]
    member_ids: dict[str, int]  # Slack id -> member id of each participant
    history: History
    department_pair_ties: dict[tuple[str, str], int]

    @property
    def slack_ids(self) -> list[str]:
        """The participants' Slack ids, sorted."""
        return [p.id for p in self.participants]


def read_inputs(
    session: Session,
    program: Program,
    seats: list[PastRound],
    *,
    eligible_at: datetime,
    offsets_at: datetime,
    skip: Collection[int],
) -> RoundInputs:
    """The program's people eligible at ``eligible_at`` (less the member ids in ``skip``), their tags,
    blocks and working hours (zones at ``offsets_at``), and the program's history."""
    people = [
        p for p in history_store.eligible_people(session, program.id, eligible_at) if p.member_id not in skip
    ]
    ids = {p.member_id for p in people}
    canon: dict[str, str] = {}  # ~100,000 copies of a few hundred tags: share one string each
    expertise: dict[int, set[str]] = {}
    interests: dict[int, set[str]] = {}
    for member_id, kind, tag in history_store.enrolled_tags(session, program.id):
        if member_id in ids:
            by_kind = expertise if kind == "expertise" else interests
            by_kind.setdefault(member_id, set()).add(canon.setdefault(tag, tag))
    blocked: dict[int, set[str]] = {}
    for member_id, other in history_store.enrolled_blocks(session, program.id):
        if member_id in ids:
            blocked.setdefault(member_id, set()).add(other)
    history = read_history(session, program, seats)
    person_ties, dept_ties = ties(seats, {p.member_id: p.department for p in people})
    offset = functools.cache(lambda tz, fallback: offset_minutes_at(tz, offsets_at, fallback))
    empty: frozenset[str] = frozenset()
    shared: dict[frozenset[str], frozenset[str]] = {empty: empty}

    def one(tags: set[str] | None) -> frozenset[str]:
        """One frozenset per distinct tag set: ~100,000 people share a few thousand of them."""
        value = frozenset(tags) if tags else empty
        return shared.setdefault(value, value)

    participants = [
        Participant(
            id=p.slack_id,
            department=p.department,
            utc_offset_minutes=offset(p.tz, p.tz_offset_minutes),
            working_hours=(p.work_start_minute, p.work_end_minute),
            expertise=one(expertise.get(p.member_id)),
            interests=one(interests.get(p.member_id)),
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
        department_pair_ties=dict(dept_ties),
    )


@dataclass(frozen=True)
class PastRound:
    """One past round's intros that did not fail: their ids, members and whether each was posted."""

    round_id: int
    followed_up: bool
    intros: list[int]
    groups: list[list[int]]  # member ids, parallel to `intros`
    posted: list[bool]  # parallel to `intros`


def read_seats(session: Session, program_id: int) -> list[PastRound]:
    """The program's past rounds with intros, oldest first, read in one ordered query of ids."""
    followed_up = dict(history_store.round_order(session, program_id))
    unposted = history_store.unposted_intros(session, program_id)
    rounds: list[PastRound] = []
    current = PastRound(0, False, [], [], [])
    last_intro = None
    group: list[int] = []
    for round_id, intro_id, member_id in history_store.history_seats(session, program_id):
        if intro_id != last_intro:
            if round_id != current.round_id:
                current = PastRound(round_id, followed_up[round_id], [], [], [])
                rounds.append(current)
            group, last_intro = [], intro_id
            current.intros.append(intro_id)
            current.groups.append(group)
            current.posted.append(intro_id not in unposted)
        group.append(member_id)
    return rounds


def read_history(session: Session, program: Program, seats: list[PastRound]) -> History:
    """Groups of the program's last `cooldown` rounds (intros that did not fail), oldest round first,
    as Slack ids.

    Named through one map of the workspace's members, so each Slack id string is shared.
    """
    names = history_store.slack_ids_of_workspace(session, program.workspace_id)
    # The matcher and the checker read only the last `cooldown` rounds: name just those.
    window = seats[max(0, len(seats) - program.cooldown_rounds) :] if program.cooldown_rounds > 0 else []
    return [[[names[m] for m in group] for group in past.groups] for past in window]


def ties(
    seats: list[PastRound], departments: dict[int, str | None]
) -> tuple[Counter[int], Counter[tuple[str, str]]]:
    """Cross-team pairs met so far, each pair counted once: per member id, and per (sorted) pair of
    department keys. Only the given members' departments count (the others are not matched now).

    Vectorised over the ~600,000 past pairs of a 100,000-person program with 12 rounds.
    """
    # Keys, so "Sales" and " sales" are one team; the matcher reads pair ties by key too.
    key_of = functools.cache(department_key)  # many people, few department spellings
    keys = sorted({k for k in map(key_of, departments.values()) if k is not None})
    code = {k: i for i, k in enumerate(keys)}
    pairs = [(a, b) for past in seats for group in past.groups for a, b in combinations(group, 2)]
    if not pairs:
        return Counter(), Counter()
    both = np.array(pairs, dtype=np.int64)  # member ids ascending within a group: a < b
    both = np.unique(both[:, 0] << 32 | both[:, 1])  # each pair once
    a, b = both >> 32, both & 0xFFFFFFFF
    team = np.full(int(max(int(b.max()), max(departments, default=0))) + 1, -1, dtype=np.int64)
    for member_id, name in departments.items():
        team[member_id] = code.get(key_of(name) or "", -1)
    ta, tb = team[a], team[b]
    # Keys compare as `is_cross_team` does: both known and different.
    cross = (ta >= 0) & (tb >= 0) & (ta != tb)
    a, b, ta, tb = a[cross], b[cross], ta[cross], tb[cross]
    people, per_person = np.unique(np.concatenate([a, b]), return_counts=True)
    low, high = np.minimum(ta, tb), np.maximum(ta, tb)
    dept, counts = np.unique(low * len(keys) + high, return_counts=True)
    dept_pairs = Counter(
        {
            (keys[int(d) // len(keys)], keys[int(d) % len(keys)]): int(c)
            for d, c in zip(dept, counts, strict=True)
        }
    )
    return Counter({int(m): int(c) for m, c in zip(people, per_person, strict=True)}), dept_pairs
