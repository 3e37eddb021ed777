"""A throwaway PostgreSQL 15 server for the test session, started from the local binaries."""

from __future__ import annotations

import glob
import os
import pwd
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg


class PostgresUnavailable(Exception):
    """No PostgreSQL binaries here, or the server would not start."""


def find_binary(name: str) -> str | None:
    """Find a PostgreSQL binary on PATH or in Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server; databases are cloned from a migrated template for speed."""

    datadir: Path
    port: int
    pg_ctl: str
    run_as: str | None

    @property
    def admin_dsn(self) -> str:
        """A psycopg DSN for the superuser's maintenance database."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL of one database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, template: str | None = None) -> str:
        """Create a fresh database (optionally from a template) and return its name."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            clause = f" TEMPLATE {template}" if template else ""
            conn.execute(f"CREATE DATABASE {name}{clause}")
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever still holds it."""
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server and remove its files."""
        self._run([self.pg_ctl, "-D", str(self.datadir), "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, check=check, capture_output=True, text=True, user=self.run_as)


def start_postgres() -> PostgresServer:
    """Start a server in a temp dir; as root, run it as the `postgres` user (initdb refuses root)."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresUnavailable("initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin")
    run_as: str | None = None
    base = Path(tempfile.mkdtemp(prefix="serendip-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable("running as root and there is no `postgres` user") from exc
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = "postgres"
    server = PostgresServer(datadir=base / "data", port=_free_port(), pg_ctl=pg_ctl, run_as=run_as)
    try:
        server._run(
            [
                initdb,
                "-D",
                str(server.datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]
        )
        options = (
            f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log_file = str(base / "log")
        server._run([pg_ctl, "-D", str(server.datadir), "-o", options, "-l", log_file, "-w", "start"])
    except subprocess.CalledProcessError as exc:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise PostgresUnavailable(f"PostgreSQL did not start: {exc.stderr.strip()} {log[-500:]}") from exc
    return server


class TemplateClones:
    """Clones of one template made ahead, and dropped behind, by background threads.

    CREATE DATABASE waits on checkpoints rather than CPU (about 0.5 s a clone on a loaded machine),
    so a test that takes a clone made while the previous test ran never waits for one; a test still
    gets a database nobody else has touched, cloned from the unchanged template.
    """

    def __init__(self, server: PostgresServer, template: str, *, ahead: int = 4, threads: int = 3) -> None:
        self._server = server
        self._template = template
        self._ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=ahead)
        self._done: queue.Queue[str] = queue.Queue()
        self._closing = threading.Event()
        self._drop_failure: Exception | None = None
        # Clones made side by side take hardly longer than one, so a few threads keep up with fast tests.
        self._threads = [
            threading.Thread(target=self._work, name=f"postgres-clones-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def take(self) -> str:
        """The name of a fresh clone of the template, for one test."""
        made = self._ready.get(timeout=120)
        if isinstance(made, BaseException):
            raise PostgresUnavailable(f"cloning the template failed: {made}") from made
        return made

    def give_back(self, name: str) -> None:
        """Drop this clone in the background (its test is over)."""
        self._done.put(name)

    def close(self) -> None:
        """Stop cloning and drop every clone made or given back."""
        self._closing.set()
        for thread in self._threads:
            thread.join(60)
        while not self._ready.empty():
            made = self._ready.get_nowait()
            if isinstance(made, str):
                self._done.put(made)
        self._drop_given_back()
        if self._drop_failure is not None:
            raise PostgresUnavailable(f"dropping a clone failed: {self._drop_failure}")

    def _work(self) -> None:
        made: str | BaseException | None = None
        while not self._closing.is_set():
            self._drop_given_back()
            if made is None:
                try:
                    made = self._server.create_database(template=self._template)
                except Exception as exc:  # handed to the test that takes it, which fails with it
                    made = exc
            try:
                self._ready.put(made, timeout=0.05)
                made = None
            except queue.Full:
                continue
        if isinstance(made, str):
            self._done.put(made)

    def _drop_given_back(self) -> None:
        while True:
            try:
                name = self._done.get_nowait()
            except queue.Empty:
                return
            try:
                self._server.drop_database(name)
            except Exception as exc:  # reported by close(); the server's files go at the end anyway
                self._drop_failure = exc
