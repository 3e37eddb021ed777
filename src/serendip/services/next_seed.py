"""The seed of a program's next round, kept so `admin preview` shows exactly what the round sends."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from serendip.adapters.db.models import Member, Program


def membership_basis(people: Sequence[Member]) -> str:
    """A fingerprint of the eligible membership a seed is drawn for: sha256 of the sorted Slack ids."""
    return hashlib.sha256("\n".join(sorted(m.slack_id for m in people)).encode()).hexdigest()


def seed_for_next_round(program: Program, basis: str) -> tuple[int, bool]:
    """The next round's stored seed, drawn afresh when the membership changed (then True)."""
    changed = program.next_seed_basis is not None and program.next_seed_basis != basis
    if program.next_seed is None or changed:
        program.next_seed = secrets.randbits(31)
    # A fresh seed (no basis yet) is bound to the membership it is first used for.
    program.next_seed_basis = basis
    return program.next_seed, changed
