"""`serendip import-people`: departments, managers, zones and tags from an HR export, set-based.

Per batch (committed on its own, so SQLite's write lock is never held for the whole file): one query
loads the batch's known members by Slack id or e-mail, one their tags, one the departments; the rows
are applied in memory in file order (`domain.people_merge`), then new members, changed members, new
departments and new tags are written with one executemany each. A batch whose writes fail is redone
row by row (`people_import_rows`), so a database refusal is still one row's problem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from serendip.adapters.db import people_bulk as bulk
from serendip.adapters.db import repositories as repo
from serendip.adapters.db import value_lists
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.domain.people_csv import PersonRow
from serendip.domain.people_merge import (
    HR,
    MemberFacts,
    apply_row,
    department_identity,
    new_member,
    no_member_problem,
    tag_count_problem,
)
from serendip.services.people_import_rows import (
    ImportReport,
    apply_rows,
    forgotten_ids,
    import_people_row_by_row,
)

__all__ = ["BATCH_SIZE", "ImportReport", "import_people", "import_people_row_by_row"]

log = logging.getLogger(__name__)

BATCH_SIZE = 5_000  # at most value_lists.CHUNK: a batch's member look-up is one query


def import_people(
    db: Database,
    *,
    team_id: str,
    rows: list[PersonRow],
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Apply parsed CSV rows: every good row loads, every bad row is reported and writes nothing.

    ``progress`` is called with the number of rows done after each committed batch.
    """
    batch_size = max(1, min(batch_size, value_lists.CHUNK))
    report = ImportReport()
    with db.transaction() as session:
        repo.get_or_create_workspace(session, team_id)
        forgotten = forgotten_ids(session, team_id, rows)
    # Department key -> stored spelling, as committed so far: a stored spelling never changes.
    shown: dict[str, str] = {}
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        part = ImportReport()
        try:
            with db.transaction() as session:
                names = _apply_batch(session, team_id, batch, forgotten, part, dict(shown))
            shown.update(names)  # only once committed
        except (SQLAlchemyError, bulk.BulkWriteFailed) as exc:
            log.warning(
                "people.batch_redone_by_rows team=%s first_line=%d error=%s",
                team_id,
                batch[0].line,
                type(exc).__name__,
            )
            part, shown = ImportReport(), {}
            with db.transaction() as session:
                apply_rows(session, team_id, batch, forgotten, part)
        report.loaded += part.loaded
        report.forgotten += part.forgotten
        report.problems.extend(part.problems)
        if progress is not None:
            progress(len(batch))
    log.info(
        "people.imported team=%s loaded=%d rejected=%d forgotten=%d",
        team_id,
        report.loaded,
        len(report.problems),
        report.forgotten,
    )
    return report


def _apply_batch(
    session: Session,
    team_id: str,
    rows: list[PersonRow],
    forgotten: set[str],
    report: ImportReport,
    shown: dict[str, str],
) -> dict[str, str]:
    """Load the batch's members, apply its rows in memory in file order, write the result.

    ``shown`` holds department spellings already known; returns them with this batch's.
    """
    live = [row for row in rows if row.id not in forgotten]
    report.forgotten += len(rows) - len(live)
    members, by_email = bulk.load_members(
        session,
        team_id,
        [row.id for row in live if row.id],
        sorted({row.email.lower() for row in live if not row.id and row.email}),
    )
    bulk.load_tags(session, members.values())
    before = {slack_id: member.column_values() for slack_id, member in members.items()}
    keys = {department_identity(row.department)[1] for row in live if row.department} - {""}
    departments = shown | bulk.department_names(session, team_id, keys - shown.keys())
    stored_keys = set(departments)
    touched: dict[str, MemberFacts] = {}  # by Slack id, in the order first touched
    created_by_email: dict[str, str] = {}
    for row in live:
        problem = tag_count_problem(row)
        member = None if problem else _member_for(row, members, by_email, created_by_email)
        if member is None:
            report.problems.append((row.line, problem or no_member_problem(row.email)))
            continue
        problem = apply_row(member, row, forgotten=forgotten, departments=departments)
        if problem is not None:
            report.problems.append((row.line, problem))
            continue
        if member.slack_id not in members:  # created by this row
            members[member.slack_id] = member
            if member.email:
                created_by_email.setdefault(member.email.lower(), member.slack_id)
        touched.setdefault(member.slack_id, member)
        report.loaded += 1
    return _write(session, team_id, touched, before, departments, stored_keys)


def _member_for(
    row: PersonRow, members: dict[str, MemberFacts], by_email: dict[str, str], created: dict[str, str]
) -> MemberFacts | None:
    """The member a row applies to: by id (a new one if unknown), else by e-mail (None: none known)."""
    if row.id:
        return members.get(row.id) or new_member(row)
    address = (row.email or "").lower()
    slack_id = by_email.get(address) or created.get(address)
    return members[slack_id] if slack_id else None


def _write(
    session: Session,
    team_id: str,
    touched: dict[str, MemberFacts],
    before: dict[str, tuple[object, ...]],
    departments: dict[str, str],
    stored_keys: set[str],
) -> dict[str, str]:
    """New departments first (a key stored meanwhile by another writer keeps its spelling), then members and tags."""
    now = utcnow()
    new_keys = {key: name for key, name in departments.items() if key not in stored_keys}
    stored = bulk.add_departments(session, team_id, new_keys, now)
    raced = {key for key, name in stored.items() if name != new_keys[key]}
    for member in touched.values():
        if member.department_key in raced and member.department_source == HR:
            member.department = stored[member.department_key]
    bulk.insert_members(session, team_id, [m for m in touched.values() if m.id is None], now)
    changed = [m for s, m in touched.items() if s in before and m.column_values() != before[s]]
    bulk.update_members(session, changed, now)
    bulk.insert_tags(session, list(touched.values()))
    return departments | stored
