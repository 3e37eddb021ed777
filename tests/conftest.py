"""Fixtures shared by every test: databases on SQLite and on a throwaway PostgreSQL."""

from __future__ import annotations

import compileall
import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.slack.coffee import router
from tests.support.postgres import PostgresServer, PostgresUnavailable, TemplateClones, start_postgres

ENGINES = ["sqlite", "postgresql"]
# For a test whose subject is a text, Block Kit, parsing or a permission and that touches the database
# only on the way: it runs on SQLite alone. Never for storage, transactions, locks, races or purges.
SQLITE_ONLY = pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run; missing PostgreSQL fails under CI=true."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        warnings.warn(f"SKIPPING POSTGRESQL TESTS: {exc}", stacklevel=1)
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A migrated database that each test's database is cloned from."""
    name = postgres_server.create_database()
    database = Database(postgres_server.url(name))
    upgrade(database)
    database.dispose()
    return name


@pytest.fixture(scope="session")
def postgres_clones(postgres_server: PostgresServer, postgres_template: str) -> Iterator[TemplateClones]:
    """Clones of the template made ahead (and dropped behind) in the background, one per test."""
    clones = TemplateClones(postgres_server, postgres_template)
    yield clones
    clones.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test's database is copied from (one migration per worker)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "serendip.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the template must be one file"
    return path


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each storage test runs once per engine."""
    return str(request.param)


@contextmanager
def migrated_database_url(engine_name: str, directory: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL of an empty, migrated database on this engine, for as long as the block runs."""
    if engine_name == "sqlite":
        path = directory / "serendip.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    clones: TemplateClones = request.getfixturevalue("postgres_clones")
    name = clones.take()
    yield server.url(name)
    clones.give_back(name)


@pytest.fixture
def database_url(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL of an empty, migrated database on the engine under test."""
    with migrated_database_url(engine_name, tmp_path, request) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database on the engine under test."""
    db = Database(database_url)
    yield db
    db.dispose()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--ack-deadline SECONDS`: see `forced_ack_deadline`."""
    parser.addoption(
        "--ack-deadline",
        type=float,
        default=None,
        help="force /coffee's ack deadline (seconds) in bots the tests run in-process: every command "
        "then answers at its response_url, as on a loaded machine",
    )


@pytest.fixture(autouse=True)
def forced_ack_deadline(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """With `--ack-deadline`, every in-process bot acks "Working on it…" after that long: a test that
    passes only when commands answer in their ack fails, as it would on a loaded machine."""
    seconds = request.config.getoption("--ack-deadline")
    if seconds is not None:
        monkeypatch.setattr(router, "ACK_DEADLINE_SECONDS", seconds)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile our sources once, before any worker starts. Where PYTHONDONTWRITEBYTECODE is set
    (CI machines often set it) nothing imported is cached, so each of the many processes the suite
    starts (workers, `serendip` commands, planning workers) would compile every module again:
    about 0.4 s each. compileall writes the caches regardless."""
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        root = Path(__file__).resolve().parents[1]
        for folder in ("src", "tests", "benchmarks"):
            compileall.compile_dir(root / folder, quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow run first: started last, one of them would keep a single worker busy while
    the others have nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: otherwise in order
