"""The seed each round or season uses, drawn once and kept, so `admin preview` shows exactly what
the next run sends while the eligible membership stays the same."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from serendip.adapters.db.models import Program


def membership_basis(slack_ids: Sequence[str]) -> str:
    """A fingerprint of the eligible membership a seed is drawn for: sha256 of the sorted Slack ids."""
    return hashlib.sha256("\n".join(sorted(slack_ids)).encode()).hexdigest()


def next_seed(stored: int | None, stored_basis: str | None, basis: str) -> tuple[int, bool]:
    """The stored seed for this membership, or a fresh draw (then True when the membership changed)."""
    changed = stored_basis is not None and stored_basis != basis
    if stored is None or changed:
        return secrets.randbits(31), changed
    return stored, changed


def seed_for_next_round(program: Program, basis: str) -> tuple[int, bool]:
    """The next round's stored seed, drawn afresh when the membership changed (then True)."""
    program.next_seed, changed = next_seed(program.next_seed, program.next_seed_basis, basis)
    # A fresh seed (no basis yet) is bound to the membership it is first used for.
    program.next_seed_basis = basis
    return program.next_seed, changed
