"""`serendip import-people` loses nothing silently: every line is loaded, rejected or said to be unread."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import String, func, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member, MemberTag
from serendip.domain.people_csv import MAX_LENGTHS

SERENDIP = str(Path(sys.executable).with_name("serendip"))


def _run(csv: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SERENDIP_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [SERENDIP, "import-people", str(csv), "--team", "T1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=csv.parent,
    )


def _members(database_url: str) -> set[str]:
    database = Database(database_url)
    with database.transaction() as session:
        ids = set(session.scalars(select(Member.slack_id)))
    database.dispose()
    return ids


def test_an_unclosed_quote_is_reported_with_the_lines_it_swallowed(tmp_path: Path, database_url: str) -> None:
    rows = [f"U{n},Person {n},Sales" for n in range(5, 105)]
    csv = tmp_path / "people.csv"
    csv.write_text('id,name,department\nU1,A,Eng\nU2,B,Eng\nU3,"C,Eng\n' + "\n".join(rows) + "\n")
    result = _run(csv, database_url)
    assert result.returncode == 2
    assert f"{csv}:4: a quoted value runs from here to line 104" in result.stderr
    assert "loaded 2 people; 1 row(s) rejected" in result.stdout
    assert _members(database_url) == {"U1", "U2"}


def test_a_huge_field_rejects_its_row_and_later_rows_still_load(tmp_path: Path, database_url: str) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("id,name,department\nU1,A,Eng\nU2," + "x" * 200_000 + ",Eng\nU3,C,Sales\nU4,D,Ops\n")
    result = _run(csv, database_url)
    assert result.returncode == 2
    assert f"{csv}:3: " in result.stderr
    assert "loaded 3 people; 1 row(s) rejected" in result.stdout
    assert _members(database_url) == {"U1", "U3", "U4"}


def test_a_value_longer_than_its_column_is_a_file_line_problem_on_both_engines(
    tmp_path: Path, database_url: str
) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(f"id,name,department\nU1,A,Eng\nU2,B,{'d' * 300}\nU{'9' * 40},C,Eng\nU4,D,Ops\n")
    result = _run(csv, database_url)
    assert result.returncode == 2, result.stderr
    assert f"{csv}:3: `department` is longer than 255 characters" in result.stderr
    assert f"{csv}:4: `id` is longer than 32 characters" in result.stderr
    assert "Traceback" not in result.stderr
    assert _members(database_url) == {"U1", "U4"}


def test_a_row_rejected_for_too_many_tags_writes_nothing(tmp_path: Path, database_url: str) -> None:
    csv = tmp_path / "people.csv"
    tags = ";".join(f"topic{n}" for n in range(200))
    csv.write_text(f"id,name,expertise\nU1,A,python\nU2,B,{tags}\n")
    result = _run(csv, database_url)
    assert result.returncode == 2
    assert f"{csv}:3: more than" in result.stderr
    assert _members(database_url) == {"U1"}
    database = Database(database_url)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(MemberTag)) == 1
    database.dispose()


def test_a_control_character_in_a_value_is_refused(tmp_path: Path, database_url: str) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text('id,name\nU1,"Ada\tL"\nU2,"=cmd\x07"\nU3,Bo\n')
    result = _run(csv, database_url)
    assert result.returncode == 2
    assert f"{csv}:2: `name` holds a line break, tab or other control character" in result.stderr
    assert f"{csv}:3: " in result.stderr
    assert _members(database_url) == {"U3"}


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path, database_url: str) -> None:
    csv = tmp_path / "people.csv"
    csv.write_bytes(b"id,name\nU1,Ada\nU2,B\xe9atrice\n")
    result = _run(csv, database_url)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"serendip: {csv}:3: not UTF-8 text (byte 19); save the file as UTF-8"
    ]


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("id,name\nU1,Ada\n")
    result = _run(csv, "postgresql+psycopg://nobody:nothing@127.0.0.1:9/none")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("serendip: database error"), result.stderr


def test_the_files_column_limits_are_the_databases_column_sizes() -> None:
    columns = {
        "id": Member.slack_id,
        "email": Member.email,
        "name": Member.real_name,
        "department": Member.department,
        "timezone": Member.tz,
        "manager_id": Member.manager_slack_id,
    }
    for name, column in columns.items():
        column_type = column.property.columns[0].type
        assert isinstance(column_type, String)
        assert MAX_LENGTHS[name] == column_type.length, name
