"""`column IN (many values)` sent as ONE parameter, for the set-based reads of thousands of ids.

A 500-item IN list is 500 bind parameters: SQLAlchemy renders each, the driver sends each, and
PostgreSQL plans and runs one query per list (a 5,000-member read in lists of 500 scanned the
enrolments ten times over). One array (PostgreSQL) or one JSON text (SQLite) per CHUNK values
instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

# Values per parameter: a batch's query may hold two such lists, and each stays a small text.
CHUNK = 5_000


def among(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values`` with ONE parameter: an array on PostgreSQL (a 5,000-item IN list costs ~5x
    more to send and plan there), a JSON list read by `json_each` on SQLite (no arrays; rendering a
    5,000-item IN list costs SQLAlchemy ~10 ms a query)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(
            ColumnElement[bool],
            column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type))),
        )
    listed = func.json_each(bindparam(None, json.dumps(list(values)), type_=String())).table_valued("value")
    return cast(ColumnElement[bool], column.in_(select(listed.c.value)))


def chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    """``values`` in slices of at most CHUNK (none when there are no values)."""
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
