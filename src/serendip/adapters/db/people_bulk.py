"""Set-based statements of `serendip import-people`: one query per kind of data per batch.

Members are read by Slack id or e-mail in one query, their tags in one more; new members are
written at driver level (COPY on PostgreSQL, executemany on SQLite: no per-row SQLAlchemy work), changed
ones updated by primary key (executemany), new departments inserted with ON CONFLICT DO NOTHING (a
key another writer stored meanwhile keeps its spelling). A member created meanwhile by another
process makes the batch fail; the caller redoes that batch row by row.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from serendip.adapters.db import pg_copy
from serendip.adapters.db.models import Department, Member, MemberTag
from serendip.adapters.db.value_lists import among, chunks
from serendip.domain.people_merge import CHANGED_COLUMNS, MemberFacts

_FACT_COLUMNS = (
    Member.id,
    Member.slack_id,
    Member.email,
    Member.name,
    Member.real_name,
    Member.department,
    Member.department_key,
    Member.department_source,
    Member.tz,
    Member.tz_offset_minutes,
    Member.tz_source,
    Member.manager_slack_id,
)


class BulkWriteFailed(Exception):
    """The driver refused a bulk write (e.g. a member created meanwhile by another process)."""


def _insert(session: Session) -> Any:
    """The dialect's INSERT (both have ON CONFLICT)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def load_members(
    session: Session, team_id: str, slack_ids: Sequence[str], emails: Sequence[str]
) -> tuple[dict[str, MemberFacts], dict[str, str]]:
    """Known members among these Slack ids or lower-cased e-mails (SQL `lower`, as the row path compares).

    Returns (facts by Slack id, Slack id by lower-cased e-mail: the lowest member id per address).
    """
    found: dict[str, MemberFacts] = {}
    by_email: dict[str, tuple[int, str]] = {}
    lowered = func.lower(Member.email, type_=String())
    clauses = [among(session, Member.slack_id, c) for c in chunks(slack_ids)]
    clauses += [among(session, lowered, c) for c in chunks(emails)]
    if not clauses:
        return found, {}
    rows = session.connection().execute(  # Core rows: no ORM work per row
        select(*_FACT_COLUMNS, lowered.label("lowered")).where(Member.workspace_id == team_id, or_(*clauses))
    )
    for row in rows:
        found[row.slack_id] = _facts(row)
        address = row.lowered
        if address is not None and (address not in by_email or row.id < by_email[address][0]):
            by_email[address] = (row.id, row.slack_id)
    return found, {address: slack_id for address, (_, slack_id) in by_email.items()}


def _facts(row: Any) -> MemberFacts:
    return MemberFacts(
        slack_id=row.slack_id,
        id=row.id,
        email=row.email,
        name=row.name,
        real_name=row.real_name,
        department=row.department,
        department_key=row.department_key,
        department_source=row.department_source,
        tz=row.tz,
        tz_offset_minutes=row.tz_offset_minutes,
        tz_source=row.tz_source,
        manager_slack_id=row.manager_slack_id,
    )


def load_tags(session: Session, members: Collection[MemberFacts]) -> None:
    """Fill each stored member's expertise and interest tags (one query per `value_lists.CHUNK` members)."""
    by_id = {m.id: m for m in members if m.id is not None}
    tags: dict[tuple[int, str], set[str]] = {}
    for chunk in chunks(list(by_id)):
        rows = session.connection().execute(
            select(MemberTag.member_id, MemberTag.kind, MemberTag.tag).where(
                among(session, MemberTag.member_id, chunk)
            )
        )
        for member_id, kind, tag in rows:
            tags.setdefault((member_id, kind), set()).add(tag)
    for (member_id, kind), held in tags.items():
        if kind == "expertise":
            by_id[member_id].expertise = frozenset(held)
        elif kind == "interest":
            by_id[member_id].interests = frozenset(held)


def department_names(session: Session, team_id: str, keys: Collection[str]) -> dict[str, str]:
    """The shown spelling of each of these department keys the workspace already has."""
    names: dict[str, str] = {}
    for chunk in chunks(sorted(keys)):
        rows = session.execute(
            select(Department.key, Department.name).where(
                Department.workspace_id == team_id, among(session, Department.key, chunk)
            )
        )
        names.update({key: name for key, name in rows})
    return names


def add_departments(session: Session, team_id: str, names: dict[str, str], now: datetime) -> dict[str, str]:
    """Insert first-seen spellings (a key another writer stored meanwhile keeps its); returns the stored names."""
    if not names:
        return {}
    rows = [{"workspace_id": team_id, "key": k, "name": n, "created_at": now} for k, n in names.items()]
    session.execute(_insert(session)(Department).on_conflict_do_nothing(), rows)
    return department_names(session, team_id, names.keys())


def insert_members(session: Session, team_id: str, members: Sequence[MemberFacts], now: datetime) -> None:
    """Insert new members in order with ids taken up front (a member created meanwhile elsewhere is an error)."""
    if not members:
        return
    dialect = session.get_bind().dialect
    varying = ["id", "workspace_id", "slack_id", "email", "name", *CHANGED_COLUMNS]
    fixed = {c.name: _default(c, now, dialect) for c in Member.__table__.columns if c.name not in varying}
    names, tail = [*varying, *fixed], tuple(fixed.values())
    for member, member_id in zip(members, _new_member_ids(session, len(members)), strict=True):
        member.id = member_id
    rows = [(m.id, team_id, m.slack_id, m.email, m.name, *m.column_values(), *tail) for m in members]
    _copy_rows(session, "members", names, rows)


def _new_member_ids(session: Session, count: int) -> list[int]:
    """``count`` unused member ids, in increasing order: the ids the rows would get inserted one by one.

    PostgreSQL: from the id sequence (no other writer gets them). SQLite: the ones after the highest
    (its own choice for a table without AUTOINCREMENT); a member inserted meanwhile by another process
    holds one of them, so the insert fails and the caller redoes the batch row by row.
    """
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(
            text("SELECT nextval(pg_get_serial_sequence('members', 'id')) FROM generate_series(1, :n)"),
            {"n": count},
        )
        return sorted(found.scalars().all())
    highest = session.execute(select(func.coalesce(func.max(Member.id), 0))).scalar_one()
    return list(range(highest + 1, highest + 1 + count))


def _default(column: Any, now: datetime, dialect: Dialect) -> Any:
    """A column's Python-side default as the driver takes it (the model's defaults are not the server's).

    Converted by the column's type once per insert (e.g. UTC timestamps), not once per row: every
    row of a batch shares these values. The import's own columns are strings and integers.
    """
    default = column.default
    value = None if default is None else (now if callable(default.arg) else default.arg)
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(value) if processor is not None and value is not None else value


def _copy_rows(session: Session, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Driver-level bulk insert in the session's transaction: COPY on PostgreSQL, executemany on SQLite."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        pg_copy.copy_rows(session, f"{table} ({', '.join(columns)})", rows)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def update_members(session: Session, members: Sequence[MemberFacts], now: datetime) -> None:
    """Write the import's columns of changed members, by primary key (executemany)."""
    if not members:
        return
    # On the connection (not the ORM session): a plain executemany of one UPDATE by primary key.
    statement = update(Member).where(Member.id == bindparam("member_id"))
    rows = [{"member_id": m.id, **m.columns(), "updated_at": now} for m in members]
    session.connection().execute(statement, rows)


def insert_tags(session: Session, members: Sequence[MemberFacts]) -> None:
    """Insert every member's newly added tags (COPY on PostgreSQL, executemany on SQLite)."""
    rows = [(m.id, kind, tag) for m in members if m.id for kind, tag in m.added_tags]
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        _copy_rows(session, "member_tags", ["member_id", "kind", "tag"], rows)
        return
    # Three plain columns: the COPY text is built here in one join, not by a driver call per row
    # (~1 s of a 300,000-tag import); a file repeats a few hundred tags, each escaped once.
    values = {kind for _, kind, _ in rows} | {tag for _, _, tag in rows}
    escaped = {value: pg_copy.copy_text(value) for value in values}
    data = "".join([f"{member_id}\t{escaped[kind]}\t{escaped[tag]}\n" for member_id, kind, tag in rows])
    pg_copy.copy_data(session, "member_tags (member_id, kind, tag)", data)
