"""Pipeline step `import`: `serendip import-people` of a 100,000-row HR file with three tags each.

prepare writes the CSV next to the database and migrates an empty database; run imports the file
through the code the CLI uses (the set-based importer); baseline uses the row-at-a-time reference.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from sqlalchemy import text

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade

STEP = "import"
TEAM_ID = "T0PIPELINE"
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "+05:30", "America/Los_Angeles", "UTC")
TOPICS = 300


def csv_path(url: str, people: int) -> Path:
    """Where prepare writes the file: beside a SQLite database, else in the temp folder."""
    import tempfile

    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).with_suffix(f".{people}.csv")
    return Path(tempfile.gettempdir()) / f"serendip-pipeline-people-{people}.csv"


def write_people_csv(path: Path, people: int) -> None:
    """`people` rows: id, e-mail, name, a Zipf-ish department, a zone, a manager and three tags."""
    departments = max(2, people // 40)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["id", "email", "name", "department", "timezone", "manager_id", "expertise", "interests"]
        )
        for i in range(people):
            dept = (i * 7919) % departments if i % 3 else (i * 31) % max(1, departments // 10)
            manager = f"U{(i // 8):08d}" if i >= 8 else ""
            out.writerow(
                [
                    f"U{i:08d}",
                    f"person{i}@pipeline.example",
                    f"Person {i}",
                    f"Department {dept:04d}",
                    ZONES[i % len(ZONES)],
                    manager,
                    f"topic {(i * 13) % TOPICS:03d};topic {(i * 17 + 1) % TOPICS:03d}",
                    f"topic {(i * 19 + 2) % TOPICS:03d}",
                ]
            )


def prepare(url: str, people: int) -> None:
    """An empty migrated database and the people file (untimed)."""
    database = Database(url)
    upgrade(database)
    database.dispose()
    write_people_csv(csv_path(url, people), people)


def run(url: str, people: int) -> None:
    """`serendip import-people FILE --team T` in this process: the command line's own code path."""
    from serendip.entrypoints.cli import app

    os.environ["DATABASE_URL"] = url
    code = app(["import-people", str(csv_path(url, people)), "--team", TEAM_ID], standalone_mode=False)
    if code not in (None, 0):
        raise SystemExit(f"import-people exited {code}")
    _check(url, people)


def baseline(url: str, people: int) -> None:
    """Today's way: the same file through the row-at-a-time importer (the reference path)."""
    from serendip.domain.people_csv import read_people_csv
    from serendip.services.people_import import import_people_row_by_row

    database = Database(url)
    rows = read_people_csv(csv_path(url, people)).rows
    report = import_people_row_by_row(database, team_id=TEAM_ID, rows=rows)
    database.dispose()
    if report.loaded != people:
        raise SystemExit(f"baseline loaded {report.loaded} of {people}")
    _check(url, people)


def _check(url: str, people: int) -> None:
    """Everyone is there with three tags: a fast wrong import is not a result."""
    database = Database(url)
    with database.engine.connect() as conn:
        members = conn.execute(text("SELECT count(*) FROM members")).scalar_one()
        tags = conn.execute(text("SELECT count(*) FROM member_tags")).scalar_one()
    database.dispose()
    if (members, tags) != (people, 3 * people):
        raise SystemExit(f"imported {members} members and {tags} tags, expected {people} and {3 * people}")
