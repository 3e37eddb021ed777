"""`serendip import-people` writes SQLite as a bulk load: a large page cache, no checkpoint after each
batch, and one at the end, so the database file itself holds the import even while others have it open."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade

SERENDIP = str(Path(sys.executable).with_name("serendip"))
PEOPLE = 600
CSV = "id,name,department,expertise\n" + "".join(
    f"U{n:05d},P{n},Team {n % 7},topic {n % 11};topic {n % 13 + 20}\n" for n in range(PEOPLE)
)


def _pragmas(database: Database) -> tuple[int, int, int]:
    with database.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in ("cache_size", "wal_autocheckpoint", "journal_size_limit")
        )


def test_only_a_bulk_load_connection_has_the_large_cache_and_no_checkpoint_after_each_commit(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'serendip.db'}"
    ordinary, bulk = Database(url), Database(url, bulk_load=True)
    try:
        assert _pragmas(ordinary) == (-2000, 1000, 64 * 1024 * 1024)  # SQLite's defaults, a WAL size limit
        assert _pragmas(bulk) == (-65536, 0, 64 * 1024 * 1024)
    finally:
        ordinary.dispose()
        bulk.dispose()


def test_the_database_file_holds_every_imported_person_while_another_process_has_it_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "serendip.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    csv = tmp_path / "people.csv"
    csv.write_text(CSV)
    # Another process (a running `serve`) keeps a connection open: closing the import's connections
    # then checkpoints nothing by itself, as closing the last one would.
    other = sqlite3.connect(path)
    try:
        other.execute("SELECT count(*) FROM members").fetchone()
        environ = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SERENDIP_LOG_LEVEL": "WARNING"}
        done = subprocess.run(
            [SERENDIP, "import-people", str(csv), "--team", "T1"],
            capture_output=True, text=True, env=environ, timeout=120, cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"loaded {PEOPLE} people" in done.stdout
        # The database file alone, without its write-ahead log: the rows were copied into it.
        copy = tmp_path / "file-only.db"
        shutil.copyfile(path, copy)
        alone = sqlite3.connect(copy)
        try:
            members = alone.execute("SELECT count(*) FROM members").fetchone()[0]
            tags = alone.execute("SELECT count(*) FROM member_tags").fetchone()[0]
        finally:
            alone.close()
        assert (members, tags) == (PEOPLE, 2 * PEOPLE)
    finally:
        other.close()
