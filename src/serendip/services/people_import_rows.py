"""The row-at-a-time importer of HR files: the reference the set-based `people_import` is tested against.

Each row is applied through the ORM in its own savepoint (a row with a problem or a database error
leaves nothing); batches commit. `people_import` also falls back to it for a batch whose bulk
write failed, so a database refusal is still reported per row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member
from serendip.domain.people_csv import PersonRow
from serendip.domain.tags import MAX_TAGS_PER_KIND
from serendip.services import do_not_enrol
from serendip.services.members import DepartmentSource, set_department, set_hr_timezone

log = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class ImportReport:
    """How an import went: rows loaded, and a problem per rejected row (line, message)."""

    loaded: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    # People who used forget-me: nothing about them is stored (they are not a problem of the file).
    forgotten: int = 0


def import_people_row_by_row(
    db: Database, *, team_id: str, rows: list[PersonRow], batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Apply parsed CSV rows one at a time (today's way, kept as the reference); same report as the bulk path."""
    report = ImportReport()
    with db.transaction() as session:
        repo.get_or_create_workspace(session, team_id)
        forgotten = forgotten_ids(session, team_id, rows)
    for start in range(0, len(rows), batch_size):
        with db.transaction() as session:
            apply_rows(session, team_id, rows[start : start + batch_size], forgotten, report)
    log.info(
        "people.imported team=%s loaded=%d rejected=%d forgotten=%d mode=rows",
        team_id,
        report.loaded,
        len(report.problems),
        report.forgotten,
    )
    return report


def forgotten_ids(session: Session, team_id: str, rows: list[PersonRow]) -> set[str]:
    """The ids (people and managers) of the file that carry a forget-me marker."""
    ids = [row.id for row in rows if row.id] + [row.manager_id for row in rows if row.manager_id]
    return do_not_enrol.marked_among(session, team_id, ids)


def apply_rows(
    session: Session, team_id: str, rows: list[PersonRow], forgotten: set[str], report: ImportReport
) -> None:
    """Apply rows one by one, each in its own savepoint, counting them into ``report``."""
    for row in rows:
        if row.id in forgotten:
            report.forgotten += 1
            continue
        problem = _apply_alone(session, team_id, row, forgotten)
        if problem is None:
            report.loaded += 1
        else:
            report.problems.append((row.line, problem))


def _apply_alone(session: Session, team_id: str, row: PersonRow, forgotten: set[str]) -> str | None:
    """Apply one row inside a savepoint: a row with a problem (or a database error) leaves nothing."""
    savepoint = session.begin_nested()
    try:
        problem = _apply(session, team_id, row, forgotten)
        session.flush()
    except SQLAlchemyError as exc:
        savepoint.rollback()
        log.warning("people.row_failed team=%s line=%d error=%s", team_id, row.line, type(exc).__name__)
        return f"the database refused this row ({type(exc).__name__})"
    if problem is not None:
        savepoint.rollback()
        return problem
    savepoint.commit()
    return None


def _find_or_create(session: Session, team_id: str, row: PersonRow) -> Member | str:
    if row.id:
        member = repo.find_member(session, team_id, row.id)
        if member is None:
            member = Member(
                workspace_id=team_id, slack_id=row.id, name=row.name or "", real_name=row.name or ""
            )
            if row.email:
                member.email = row.email
            session.add(member)
            session.flush()
        return member
    member = repo.find_member_by_email(session, team_id, row.email or "")
    if member is None:
        return f"no Slack member with e-mail {row.email} is known yet (start `serendip serve` once to sync the directory, or use an id column)"
    return member


def _apply(session: Session, team_id: str, row: PersonRow, forgotten: set[str]) -> str | None:
    for kind, tags in (("expertise", row.expertise), ("interest", row.interests)):
        if len(tags) > MAX_TAGS_PER_KIND:  # checked before anything is written
            return f"more than {MAX_TAGS_PER_KIND} {kind} tags for this person"
    found = _find_or_create(session, team_id, row)
    if isinstance(found, str):
        return found
    member = found
    for kind, tags in (("expertise", row.expertise), ("interest", row.interests)):
        current = set(repo.member_tags(session, member.id, kind))
        if len(current | set(tags)) > MAX_TAGS_PER_KIND:
            return f"more than {MAX_TAGS_PER_KIND} {kind} tags for this person"
    if row.name and not member.real_name:
        member.real_name = row.name
    if row.department:
        set_department(session, member, row.department, DepartmentSource.HR)
    if row.manager_id and row.manager_id not in forgotten:  # a forgotten id is stored nowhere
        member.manager_slack_id = row.manager_id
    if row.timezone:
        set_hr_timezone(member, row.timezone, row.utc_offset_minutes)
    repo.add_tags(session, member.id, "expertise", sorted(row.expertise))
    repo.add_tags(session, member.id, "interest", sorted(row.interests))
    return None
