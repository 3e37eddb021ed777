"""Reading what a round is planned from, with the history read at the same time as the people.

The past seats (a million rows at 100,000 people) with the ghost rule, and the people with their
tags, are independent reads of about equal cost, each mostly interpreter work (building rows,
parsing texts). Where the process has a single thread (the plan worker, a CLI) the history is read
by a forked child process in its own transaction and engine, so both reads use a core each; a
process that serves requests runs threads and is never forked, so there the history is read on a
helper thread. An in-memory SQLite database is one connection, so there both are read in turn.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.services.lifecycle.ghosts import ghost_members
from serendip.services.lifecycle.inputs import RoundInputs, build_inputs, prepare_people, read_people
from serendip.services.lifecycle.seats import Seats, read_seats

log = logging.getLogger(__name__)

Past = tuple[Seats, dict[int, str]]
# A history read takes seconds even at 100,000 people; a child silent this long is stuck (a lock,
# a dead database connection): it is stopped and the planner reads the history itself.
CHILD_SECONDS = 300.0


def read_round(
    db: Database, session: Session, program: Program, *, eligible_at: datetime, offsets_at: datetime
) -> tuple[RoundInputs, dict[int, str]]:
    """The round's inputs (ghosts left out) and the ghosts the rule would pause (member id -> Slack id)."""
    if ":memory:" in db.url:
        seats, ghosts = _past(session, program.id)
        people = prepare_people(read_people(session, program.id, eligible_at), offsets_at=offsets_at)
    else:
        with _past_read_meanwhile(db, program.id) as past:
            # The people are read and made ready while the history is read: it takes longer.
            people = prepare_people(read_people(session, program.id, eligible_at), offsets_at=offsets_at)
            seats, ghosts = past()
    return build_inputs(program, people, seats, skip=ghosts), ghosts


def may_fork() -> bool:
    """Whether a child may be forked from this process: the platform forks and no other thread runs
    (a fork copies only the calling thread; another thread's locks would stay held in the child)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


@contextmanager
def _past_read_meanwhile(db: Database, program_id: int) -> Iterator[Any]:
    """Start reading the program's past seats and ghosts; yields a call that waits for them."""
    if may_fork():
        with _in_forked_child(db, program_id) as past:
            yield past
        return
    with ThreadPoolExecutor(1, thread_name_prefix="serendip-history") as pool:
        future = pool.submit(_past_in_own_transaction, db, program_id)
        yield future.result


@contextmanager
def _in_forked_child(db: Database, program_id: int) -> Iterator[Any]:
    """The history read by a forked child; if the child fails, it is read here instead (logged).

    A plain fork, not a multiprocessing.Process: the plan worker is itself a daemonic process,
    which multiprocessing does not let have children.
    """
    receiver, sender = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send, and leave without running any of the parent's clean-up
        try:
            os.close(receiver)
            with os.fdopen(sender, "wb") as out:
                out.write(pickle.dumps(_read_in_child(db.url, program_id), protocol=pickle.HIGHEST_PROTOCOL))
        finally:
            os._exit(0)
    os.close(sender)
    waited = False

    def result() -> Past:
        nonlocal waited
        data = _read_until(receiver, time.monotonic() + CHILD_SECONDS)
        if data is None:  # a child that never answers is stopped, not waited for
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        waited = True
        answer = pickle.loads(data) if data else None  # our own child's bytes
        if isinstance(answer, tuple):
            return answer
        reason = "timeout" if data is None else answer or "no answer"
        log.warning("round.history_child_failed program_id=%s error=%s", program_id, reason)
        return _past_in_own_transaction(db, program_id)

    try:
        yield result
    finally:
        os.close(receiver)  # a child still writing gets a broken pipe and leaves
        if not waited:
            os.waitpid(pid, 0)


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes to ``fd`` up to its end; None when the deadline passes first."""
    chunks: list[bytes] = []
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 1 << 20)  # the child blocks on its write until this reads it
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
    return None


def _read_in_child(url: str, program_id: int) -> object:
    """In the forked child: read with an engine of its own (the parent's connections are never
    touched here, and the child exits without closing them); an error's name on failure."""
    db = Database(url)
    try:
        return _past_in_own_transaction(db, program_id)
    except Exception as exc:  # the parent reads the history itself, and logs this name
        return type(exc).__name__
    finally:
        db.dispose()


def _past(session: Session, program_id: int) -> Past:
    seats = read_seats(session, program_id)
    return seats, ghost_members(session, program_id, seats)


def _past_in_own_transaction(db: Database, program_id: int) -> Past:
    with db.transaction() as session:
        return _past(session, program_id)
