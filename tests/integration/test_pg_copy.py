"""What we COPY into PostgreSQL is read back by PostgreSQL itself as exactly the values written:
texts with tabs, newlines, backslashes and a literal \\N in text we format ourselves, and NULLs,
booleans, integers and timestamps through the driver's dumpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from serendip.adapters.db import pg_copy
from serendip.adapters.db.engine import Database

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)

HOSTILE = [
    "",
    "plain",
    "tab\there",
    "line\nbreak",
    "return\rhere",
    "back\\slash",
    "\\N",
    "\\",
    "naïve 日本 🙂",
    "a\\tb",
]


def _copied(database: Database) -> list[tuple[object, ...]]:
    with database.transaction() as session:
        return [tuple(row) for row in session.execute(text("SELECT n, t, b, at FROM copied ORDER BY n"))]


def _table(database: Database) -> None:
    with database.transaction() as session:
        session.execute(text("CREATE TABLE copied (n bigint, t text, b boolean, at timestamptz)"))


def test_hostile_texts_formatted_by_us_read_back_exactly_as_written(database: Database) -> None:
    _table(database)
    data = "".join(f"{n}\t{pg_copy.copy_text(value)}\tt\t\\N\n" for n, value in enumerate(HOSTILE))
    with database.transaction() as session:
        pg_copy.copy_data(session, "copied (n, t, b, at)", data)
    assert _copied(database) == [(n, value, True, None) for n, value in enumerate(HOSTILE)]


def test_rows_of_every_kind_copied_through_the_driver_read_back_exactly(database: Database) -> None:
    _table(database)
    at = datetime(2026, 12, 2, 3, 4, 5, 678901, tzinfo=UTC)
    rows: list[tuple[int, str | None, bool | None, datetime | None]] = [
        (i, value, i % 2 == 0, at + timedelta(minutes=i)) for i, value in enumerate(HOSTILE)
    ]
    rows.append((len(rows), None, None, None))
    rows.append(
        (-(2**62), "low", True, datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))))
    )
    with database.transaction() as session:
        pg_copy.copy_rows(session, "copied (n, t, b, at)", rows)
    assert _copied(database) == sorted(rows, key=lambda row: row[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")), min_size=1, max_size=20
    )
)
def test_any_encodable_text_but_nul_survives_our_copy_text(database: Database, texts: list[str]) -> None:
    data = "".join(f"{n}\t{pg_copy.copy_text(value)}\n" for n, value in enumerate(texts))
    with database.transaction() as session:
        session.execute(text("CREATE TEMP TABLE any_text (n int, t text) ON COMMIT DROP"))
        pg_copy.copy_data(session, "any_text (n, t)", data)
        back = [t for _, t in session.execute(text("SELECT n, t FROM any_text ORDER BY n"))]
    assert back == texts
