"""The set-based import and the row-at-a-time reference leave identical databases, on both engines.

Both start from the same seeded workspace and import the same files (new people, e-mail-only rows,
rejected rows, duplicate ids, forgotten people, then a re-import that updates everyone); the tables
are then compared row by row from raw SQL (surrogate ids and timestamps aside).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.db.models import Department, Member, MemberTag, Workspace
from serendip.domain.people_csv import parse_people_csv
from serendip.services import do_not_enrol
from serendip.services.people_import import ImportReport, import_people, import_people_row_by_row
from tests.support.postgres import PostgresServer, TemplateClones

AT = datetime(2026, 1, 15, 12, tzinfo=UTC)
FIRST = (
    "id,email,name,department,timezone,manager_id,expertise,interests\n"
    "U10,ten@example.com,Ten, sales ,Europe/Berlin,U1,python;k8s,design\n"  # existing key: stored "Sales"
    "U11,,Eleven,Research  Lab,+05:30,U9,,python\n"  # a forgotten manager is stored nowhere
    "U12,,Twelve,RESEARCH LAB,-03:00,U10,go,\n"  # same key: first-seen spelling of this file
    ",BO@example.com,,Support,Asia/Tokyo,,rust,\n"  # e-mail only: matches U2 case-insensitively
    ",nobody@example.com,,Support,,,,\n"  # e-mail of no member: rejected
    "U13,,Thirteen,Ops,,," + ";".join(f"t{n}" for n in range(20)) + ",\n"  # too many tags: rejected
    "U4,,,Ops,,,a1;a2;a3,\n"  # 14 held + 3 new > 15: rejected, writes nothing
    "U9,,Forgotten,Ops,,,,\n"  # forget-me: skipped
    "U10,,Dup,Ops,,,,\n"  # duplicate id: rejected by the parser
    "U2,,Bo Again,Support  ,+00:00,U10,,chess\n"  # the member the e-mail row updated
    "U1,,Ada,,America/New_York,,python,\n"  # no department: the directory's stays
    "U3,,,Finance,,,,\n"  # HR over HR
    "U14,fourteen@example.com,,,Mars/Olympus,,,\n"  # unknown zone: rejected by the parser
    "U15,,Fifteen,,+05:45,,,\n"  # an offset: a zone keeping it, or the Slack zone stays
)
SECOND = (
    "id,email,name,department,timezone,manager_id,expertise,interests\n"
    "U10,,Ten,Research lab,Asia/Kolkata,U12,python;go,\n"  # moves team; tags are added to
    "U11,,,SALES,,,,chess\n"
    ",ten@example.com,,Support,,,,rust\n"  # e-mail of a member this import created earlier
    "U16,,Sixteen,New Team,,,,\n"
    "U2,,,,,,,\n"
)


def _database(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest, name: str) -> str:
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        database = Database(url)
        upgrade(database)
        database.dispose()
        return url
    server: PostgresServer = request.getfixturevalue("postgres_server")
    clones: TemplateClones = request.getfixturevalue("postgres_clones")
    return server.url(clones.take())


@pytest.fixture
def twins(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Database, Database]]:
    """Two migrated, identically seeded databases on the engine under test."""
    databases = tuple(Database(_database(engine_name, tmp_path, request, n)) for n in ("bulk", "rows"))
    for database in databases:
        _seed(database)
    yield databases[0], databases[1]
    for database in databases:
        database.dispose()


def _seed(database: Database) -> None:
    with database.transaction() as session:
        session.add(Workspace(id="T1", name="Acme"))
        session.flush()
        session.add(Department(workspace_id="T1", key="sales", name="Sales"))
        session.add_all(
            [
                Member(workspace_id="T1", slack_id="U1", real_name="", department="Sales",
                       department_key="sales", department_source="directory", tz="Europe/London", tz_source="slack"),
                Member(workspace_id="T1", slack_id="U2", name="bo", real_name="Bo", email="bo@example.com"),
                Member(workspace_id="T1", slack_id="U3", real_name="Cy", department="Legal",
                       department_key="legal", department_source="hr"),
                Member(workspace_id="T1", slack_id="U4", real_name="Di"),
            ]
        )  # fmt: skip
        session.flush()
        u4 = session.query(Member).filter_by(slack_id="U4").one()
        session.add_all(MemberTag(member_id=u4.id, kind="expertise", tag=f"held{n}") for n in range(14))
        do_not_enrol.mark(session, "T1", "U9")


def _import(database: Database, csv_text: str, *, bulk: bool, batch_size: int) -> ImportReport:
    parsed = parse_people_csv(csv_text, path="people.csv", at=AT)
    if bulk:
        return import_people(database, team_id="T1", rows=parsed.rows, batch_size=batch_size)
    return import_people_row_by_row(database, team_id="T1", rows=parsed.rows, batch_size=batch_size)


def _tables(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every table the import writes, by natural keys, without surrogate ids or timestamps."""
    queries = {
        "workspaces": "SELECT id, name, bot_user_id, department_field_id FROM workspaces ORDER BY id",
        "members": (
            "SELECT workspace_id, slack_id, name, real_name, email, title, tz, tz_offset_minutes,"
            " work_start_minute, work_end_minute, department, department_source, department_key,"
            " tz_source, manager_slack_id, is_deleted, is_bot, is_guest, is_workspace_admin,"
            " may_be_asked, profile_synced_at, department_synced_at FROM members ORDER BY slack_id"
        ),
        "member_tags": (
            "SELECT m.slack_id, t.kind, t.tag FROM member_tags t JOIN members m ON m.id = t.member_id"
            " ORDER BY m.slack_id, t.kind, t.tag"
        ),
        "departments": "SELECT workspace_id, key, name FROM departments ORDER BY workspace_id, key",
        "do_not_enrol": "SELECT workspace_id FROM do_not_enrol ORDER BY workspace_id",
    }
    with database.engine.connect() as conn:
        return {name: [tuple(row) for row in conn.execute(text(sql))] for name, sql in queries.items()}


@pytest.mark.parametrize("batch_size", [2, 5_000])
def test_bulk_and_row_imports_leave_identical_databases(
    twins: tuple[Database, Database], batch_size: int, caplog: pytest.LogCaptureFixture
) -> None:
    bulk_db, rows_db = twins
    for csv_text in (FIRST, SECOND):
        bulk = _import(bulk_db, csv_text, bulk=True, batch_size=batch_size)
        rows = _import(rows_db, csv_text, bulk=False, batch_size=500)
        assert (bulk.loaded, bulk.forgotten, bulk.problems) == (rows.loaded, rows.forgotten, rows.problems)
    assert _tables(bulk_db) == _tables(rows_db)
    # The set-based path did the work: no batch fell back to the row-at-a-time path.
    assert "people.batch_redone_by_rows" not in caplog.text


def test_the_files_exercise_what_they_claim(twins: tuple[Database, Database]) -> None:
    bulk_db, _ = twins
    first = _import(bulk_db, FIRST, bulk=True, batch_size=3)
    assert (first.loaded, first.forgotten) == (8, 1)
    assert [line for line, _ in first.problems] == [6, 7, 8]
    second = _import(bulk_db, SECOND, bulk=True, batch_size=3)
    assert (second.loaded, second.problems) == (5, [])
    tables = _tables(bulk_db)
    members = {row[1]: row for row in tables["members"]}
    assert members["U12"][10:13] == ("Research Lab", "hr", "research lab")  # first-seen spelling
    assert members["U10"][10] == "Support" and ("U10", "interest", "rust") in tables["member_tags"]
    assert members["U11"][10] == "Sales" and members["U11"][14] is None  # forgotten manager not stored
    assert members["U1"][3] == "Ada" and members["U1"][10:12] == ("Sales", "directory")
    assert ("U2", "expertise", "rust") in tables["member_tags"]
    assert sum(1 for row in tables["member_tags"] if row[0] == "U4") == 14
    assert "U9" not in members and "U13" not in members


NEW_PEOPLE = "id,name,expertise,interests\n" + "".join(f"U{n:03d},P{n},go;k8s,chess\n" for n in range(30, 41))


def test_new_members_get_the_ids_the_row_import_gives_them_in_file_order(
    twins: tuple[Database, Database],
) -> None:
    bulk_db, rows_db = twins
    _import(bulk_db, NEW_PEOPLE, bulk=True, batch_size=4)
    _import(rows_db, NEW_PEOPLE, bulk=False, batch_size=500)
    sql = {
        "members": "SELECT id, slack_id FROM members ORDER BY id",
        "tags": "SELECT member_id, kind, tag FROM member_tags ORDER BY member_id, kind, tag",
    }
    found = []
    for database in (bulk_db, rows_db):
        with database.engine.connect() as conn:
            found.append({name: [tuple(r) for r in conn.execute(text(q))] for name, q in sql.items()})
    assert found[0] == found[1]
    new = [(member_id, slack_id) for member_id, slack_id in found[0]["members"] if slack_id.startswith("U0")]
    assert [slack_id for _, slack_id in new] == [f"U{n:03d}" for n in range(30, 41)]
    assert [member_id for member_id, _ in new] == list(range(new[0][0], new[0][0] + 11))


def test_tags_with_backslashes_are_stored_as_written_by_both_imports(
    twins: tuple[Database, Database],
) -> None:
    bulk_db, rows_db = twins
    # A backslash inside a tag: COPY text reads a backslash and t as a tab unless it is escaped.
    csv_text = "id,expertise,interests\n" + 'U50,"c:\\path;a\\tb",x\\\\y\nU51,p\\nq,\n'
    for database, bulk in ((bulk_db, True), (rows_db, False)):
        _import(database, csv_text, bulk=bulk, batch_size=5_000)
    assert _tables(bulk_db) == _tables(rows_db)
    with bulk_db.engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT m.slack_id, t.tag FROM member_tags t JOIN members m ON m.id = t.member_id"
                " WHERE m.slack_id IN ('U50', 'U51') ORDER BY m.slack_id, t.tag"
            )
        ).all()
    assert [tuple(row) for row in stored] == [
        ("U50", "a\\tb"),
        ("U50", "c:\\path"),
        ("U50", "x\\\\y"),
        ("U51", "p\\nq"),
    ]
