"""Large reads as packed texts: integers joined by spaces in SQL, parsed by numpy in C.

Turning a million rows into Python tuples costs seconds; a few texts of space-separated integers
(one integer per row where two ids are packed into one) cost a fraction of that. Shared by the
planning reads (`lifecycle_history`) and the stats reads (`stats_store`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, String, cast, func, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Intro, IntroMember, Member

# Integer ids as they come from the database.
IdArray = np.ndarray[Any, np.dtype[np.int64]]


def joined(column: Any) -> Any:
    """The column's integers joined by spaces within each group (SQLite group_concat, PostgreSQL string_agg)."""
    return func.aggregate_strings(cast(column, String), " ")


def ints(text: str | None) -> IdArray:
    """The integers of a space-separated text (None: none)."""
    # numpy parses the database's text in C: far cheaper than one Python tuple per row.
    return np.fromstring(text or "", dtype=np.int64, sep=" ")


# Read seats by intro id span when the program's delivered intros are at least 1 in SPAN_LIMIT of
# the ids in it (rounds are written in one go, so a program's ids mostly run together).
SPAN_LIMIT = 3


def pack_base(session: Session) -> int:
    """The multiplier that packs (intro id, member id) into one int64."""
    # A seat travels as one integer: turning integers into text is most of the queries' cost.
    base = int(session.scalar(select(func.max(Member.id))) or 0) + 1
    top = int(session.scalar(select(func.max(Intro.id))) or 0) + 1
    if top * base * 2 >= 2**63:
        raise OverflowError(f"seat ids do not pack into 64 bits: intros={top} members={base}")
    return base


def seats_in_span(session: Session, lo: int, hi: int) -> tuple[IdArray, IdArray]:
    """(intro id, member id) of every intro_members row with lo <= intro id <= hi."""
    # A range scan of the (intro, member) key with no join: joining intros seat by seat cost
    # PostgreSQL 600,000 index look-ups (4x the scan) and SQLite twice the time.
    base = pack_base(session)
    text = session.scalar(
        select(joined(cast(IntroMember.intro_id, BigInteger) * base + IntroMember.member_id)).where(
            IntroMember.intro_id.between(lo, hi)
        )
    )
    intro, member = np.divmod(ints(text), base)
    return intro, member


def ints_per_group(rows: Iterable[tuple[Any, str | None]]) -> tuple[IdArray, IdArray]:
    """Rows of (group key, packed text) as two parallel arrays: each value's group key, and the values."""
    keys, values = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for key, text in rows:
        values.append(ints(text))
        keys.append(np.full(len(values[-1]), int(key), dtype=np.int64))
    return np.concatenate(keys), np.concatenate(values)


def positions_in(ordered: IdArray, values: IdArray) -> tuple[IdArray, IdArray]:
    """For each value, its index in the ascending array ``ordered`` and whether it is there at all
    (e.g. seats read by intro id span, kept only when their intro is one of the program's)."""
    at = np.minimum(np.searchsorted(ordered, values), max(len(ordered) - 1, 0))
    return at, ordered[at] == values if len(ordered) else np.zeros(len(values), dtype=np.bool_)
