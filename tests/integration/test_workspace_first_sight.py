"""A new workspace's first requests often arrive together: each finds or creates the one workspace
row, and the one that loses the race reads the winner's row instead of failing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Workspace


def test_two_first_requests_of_a_new_workspace_at_once_both_get_the_one_row(database: Database) -> None:
    # The first request has inserted the row but not committed when the second looks for it:
    # the second finds nothing, inserts too, and waits on the first's key. It used to fail there
    # (a duplicate key) once the first committed.
    inserted, looked = threading.Event(), threading.Event()

    def first() -> str:
        with database.transaction() as session:
            workspace = repo.get_or_create_workspace(session, "TNEW")
            inserted.set()
            looked.wait(10)
            return workspace.id

    def second() -> str:
        inserted.wait(10)
        with database.transaction() as session:
            found = session.get(Workspace, "TNEW")  # not committed yet: nothing
            looked.set()
            assert found is None
            return repo.get_or_create_workspace(session, "TNEW").id

    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(first), pool.submit(second)]
        assert [r.result(timeout=30) for r in results] == ["TNEW", "TNEW"]
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Workspace).where(Workspace.id == "TNEW")) == 1


def test_a_known_workspace_is_read_not_written(database: Database) -> None:
    with database.transaction() as session:
        session.add(Workspace(id="TOLD", name="Old name"))
    with database.transaction() as session:
        assert repo.get_or_create_workspace(session, "TOLD").name == "Old name"
