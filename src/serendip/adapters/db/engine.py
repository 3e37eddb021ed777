"""Engines and sessions: SQLite in WAL mode with foreign keys on, or PostgreSQL via psycopg 3."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

# A WAL file grown by a large write is cut back to this size once it has been checkpointed.
_WAL_SIZE_LIMIT = 64 * 1024 * 1024
# A bulk load (`import-people`) writes hundreds of thousands of index entries in a few dozen commits.
# The default 2 MB page cache cannot hold the pages they land on (one per tag in the tag index), and
# the WAL is checkpointed after nearly every commit, rewriting those pages each time. So: a 64 MB
# cache, and one checkpoint at the end (`Database.checkpoint`). 100,000 people with three tags
# each: 9.4-10.3 s -> 7.4-8.6 s, the final checkpoint included.
_BULK_LOAD_PRAGMAS = ("PRAGMA cache_size=-65536", "PRAGMA wal_autocheckpoint=0")
# How long a SQLite write waits for another writer's lock before it gives up ("database is locked").
SQLITE_BUSY_SECONDS = 10.0


def _configure_sqlite(
    dbapi_connection: Any, _record: Any, *, bulk_load: bool = False, busy_seconds: float = SQLITE_BUSY_SECONDS
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Handlers run in threads; wait for a writer rather than failing with "database is locked".
    cursor.execute(f"PRAGMA busy_timeout={round(busy_seconds * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA journal_size_limit={_WAL_SIZE_LIMIT}")
    for pragma in _BULK_LOAD_PRAGMAS if bulk_load else ():
        cursor.execute(pragma)
    cursor.close()


def make_engine(
    url: str, *, bulk_load: bool = False, busy_seconds: float = SQLITE_BUSY_SECONDS, **kwargs: Any
) -> Engine:
    """Create an engine for ``url`` with the per-dialect settings Serendip relies on.

    ``bulk_load`` tunes SQLite connections for a process that writes a large file's rows (see
    _BULK_LOAD_PRAGMAS); such a process calls `Database.checkpoint` when it is done.
    ``busy_seconds`` is how long a SQLite write waits for another writer (tests shorten it).
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": busy_seconds})
        engine = create_engine(url, **kwargs)
        event.listen(
            engine,
            "connect",
            lambda connection, record: _configure_sqlite(
                connection, record, bulk_load=bulk_load, busy_seconds=busy_seconds
            ),
        )
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


class OpenTransactions:
    """How many of this process's transactions are open now, in an integer a worker process it
    starts can read (a multiprocessing RawValue): a planner storing a round on SQLite rests between
    its writes only while one is open, since only then may a command be waiting for the lock."""

    def __init__(self, shared: Any) -> None:
        self.shared = shared  # has .value; handed to worker processes
        self._lock = threading.Lock()  # += on shared memory is not atomic across threads

    def add(self, step: int) -> None:
        """Count a transaction opened (+1) or closed (-1)."""
        with self._lock:
            self.shared.value += step


class Database:
    """The database a process talks to: an engine and a session factory."""

    def __init__(
        self,
        url: str,
        *,
        bulk_load: bool = False,
        busy_seconds: float = SQLITE_BUSY_SECONDS,
        **engine_kwargs: Any,
    ) -> None:
        self.url = url
        self.engine = make_engine(url, bulk_load=bulk_load, busy_seconds=busy_seconds, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.open_transactions: OpenTransactions | None = None  # counted once `count_open_transactions`

    @property
    def dialect(self) -> str:
        """The dialect name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def count_open_transactions(self, shared: Any) -> None:
        """From now on keep in ``shared.value`` how many of this process's transactions are open."""
        self.open_transactions = OpenTransactions(shared)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on any error."""
        counter = self.open_transactions
        if counter is not None:
            counter.add(1)
        try:
            with self._sessions() as session, session.begin():
                yield session
        finally:
            if counter is not None:
                counter.add(-1)

    def on_commit(self, callback: Callable[[Session], None]) -> None:
        """Call ``callback(session)`` right after each of this database's transactions commits.

        For work that must see the committed rows (e.g. a background read of a new member).
        """
        event.listen(self._sessions, "after_commit", callback)

    def ping(self) -> None:
        """Run a trivial query; raises the driver's error when the database does not answer."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def is_healthy(self) -> bool:
        """Whether a trivial query succeeds (used by /healthz)."""
        try:
            self.ping()
            return True
        except Exception:
            return False

    def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database file now, as far as readers allow
        (after a bulk load, which does not checkpoint as it goes); nothing on PostgreSQL."""
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
