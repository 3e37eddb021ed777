"""Do-not-enrol markers: a keyed hash only, one key per deployment, created race-safely."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import AppSecret, DoNotEnrol
from serendip.services import do_not_enrol


def test_a_marker_holds_only_a_keyed_hash_and_join_clears_it(database: Database) -> None:
    with database.transaction() as session:
        assert not do_not_enrol.is_marked(session, "T1", "U1")  # no key yet, and none is created
        assert session.scalar(select(func.count()).select_from(AppSecret)) == 0
        do_not_enrol.mark(session, "T1", "U1")
        do_not_enrol.mark(session, "T1", "U1")
    with database.transaction() as session:
        rows = session.scalars(select(DoNotEnrol)).all()
        assert len(rows) == 1 and "U1" not in rows[0].id_hash and len(rows[0].id_hash) == 64
        assert do_not_enrol.marked_among(session, "T1", ["U1", "U2"]) == {"U1"}
        assert not do_not_enrol.is_marked(session, "T2", "U1")
        assert do_not_enrol.clear(session, "T1", "U1")
    with database.transaction() as session:
        assert not do_not_enrol.is_marked(session, "T1", "U1")


def test_two_processes_marking_at_once_share_one_key(database: Database) -> None:
    errors: list[BaseException] = []
    started = threading.Event()

    def second() -> None:
        try:
            started.set()
            with database.transaction() as session:
                do_not_enrol.mark(session, "T1", "U2")
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    with database.transaction() as session:
        do_not_enrol.mark(session, "T1", "U1")  # creates the key, not committed yet
        thread = threading.Thread(target=second)
        thread.start()
        started.wait(5)
        thread.join(0.5)  # the second writer waits for this transaction
    thread.join(15)
    assert errors == []
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AppSecret)) == 1
        assert do_not_enrol.marked_among(session, "T1", ["U1", "U2"]) == {"U1", "U2"}
