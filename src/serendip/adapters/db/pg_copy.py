"""PostgreSQL COPY on the session's own connection, inside its transaction (the import's members
and tags, a round's intros and seats).

executemany of ~150,000 rows costs ~5 s through the driver; COPY a fraction of that. COPY returns no
ids: callers draw them beforehand. `copy_rows` formats each value through psycopg's dumpers; where
one text repeats on most rows (a file's few hundred tags), the caller builds COPY's text format
itself, escaping each distinct text once (`copy_text`), and sends it with `copy_data`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A text as a field of COPY's text format (backslash, tab, newline and return escaped)."""
    return value.translate(_ESCAPES)


def copy_rows(session: Session, target: str, rows: Iterable[Sequence[object]]) -> None:
    """COPY ``rows`` into ``target`` ("table (column, ...)"), each value dumped by the driver."""
    driver = session.connection().connection.driver_connection
    assert driver is not None  # a checked-out connection always has its driver connection
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_data(session: Session, target: str, data: str) -> None:
    """COPY text already in COPY's text format (`copy_text` for every text field) into ``target``."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        copy.write(data)
