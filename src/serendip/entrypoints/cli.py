"""The `serendip` command line."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from serendip.config import SettingError, Settings, load_settings
from serendip.entrypoints.report_cmd import report_command
from serendip.entrypoints.simulate_cmd import simulate_command
from serendip.logging_setup import configure_logging

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Serendip: cross-team introductions on Slack.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"serendip {version('serendip')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Serendip: cross-team introductions on Slack."""


log = logging.getLogger("serendip.cli")
P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line to stderr and return the exit to raise."""
    print(f"serendip: {message}", file=sys.stderr)
    return typer.Exit(code)


def clear_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn setting and database errors into one line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return func(*args, **kwargs)
        except SettingError as exc:
            raise fail(str(exc)) from None
        except SQLAlchemyError as exc:
            raise fail(database_error_line(exc)) from None
        except Exception as exc:
            # Imported here, on the error path only: `startup` loads the Slack SDK, which commands
            # such as import-people never use (a tenth of a second of their start-up).
            from serendip.entrypoints.startup import StartupError

            if isinstance(exc, StartupError):
                raise fail(str(exc)) from None
            raise

    return wrapper


def database_error_line(exc: Exception) -> str:
    """One line naming a database failure: the driver's first line, never the SQL or a traceback."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"database error ({type(exc).__name__}): {reason[0] if reason else 'no details'}"


def settings_for_command() -> Settings:
    """Load settings and configure logging from them."""
    settings = load_settings()
    configure_logging(settings.log_level.value, settings.log_format.value)
    return settings


@app.command()
@clear_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default SERENDIP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default SERENDIP_PORT).")] = None,
    no_scheduler: Annotated[bool, typer.Option("--no-scheduler", help="Serve Slack requests only.")] = False,
) -> None:
    """Run the bot: HTTP on /slack/events, or Socket Mode when SLACK_APP_TOKEN is set."""
    from serendip.entrypoints.processes import run_serve

    settings = settings_for_command()
    run_serve(settings, host=host or settings.host, port=port or settings.port, scheduler=not no_scheduler)


@app.command()
@clear_errors
def demo(
    people: Annotated[int, typer.Option(min=4, max=500, help="People in the sandbox workspace.")] = 40,
    departments: Annotated[int, typer.Option(min=1, max=12, help="Departments.")] = 6,
    seed: Annotated[int, typer.Option(help="Seed for the workspace and the round.")] = 0,
    circles: Annotated[
        bool, typer.Option("--circles", help="Run a circles program: form a season of topic circles.")
    ] = False,
) -> None:
    """Run the whole bot against a built-in sandbox Slack workspace (no Slack account needed)."""
    from rich.console import Console

    from serendip.entrypoints.demo import run_demo

    configure_logging("WARNING")
    result = run_demo(Console(), people=people, departments=departments, seed=seed, circles=circles)
    print(f"demo finished in {result.seconds:.1f}s")


@app.command()
@clear_errors
def worker(
    tick_seconds: Annotated[float, typer.Option(min=0.5, help="Seconds between scheduler ticks.")] = 30.0,
    lease_seconds: Annotated[
        float, typer.Option(min=1.0, help="How long a round stays claimed without a heartbeat.")
    ] = 60.0,
    host: Annotated[str | None, typer.Option(help="Interface for /healthz and /metrics.")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port for /healthz and /metrics (default SERENDIP_PORT).")
    ] = None,
) -> None:
    """Run the scheduler only: rounds, delivery, follow-ups, directory sync, retention (no Slack HTTP)."""
    from serendip.entrypoints.processes import run_worker

    settings = settings_for_command()
    run_worker(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        tick_seconds=tick_seconds,
        lease_seconds=lease_seconds,
    )


@app.command()
@clear_errors
def healthcheck(
    timeout: Annotated[float, typer.Option(min=0.5, help="Seconds to wait for the answer.")] = 4.0,
) -> None:
    """Exit 0 when this container's process answers GET /healthz with 200 on SERENDIP_PORT (Docker HEALTHCHECK)."""
    import urllib.error
    import urllib.request

    settings = load_settings()
    # Whatever interface the process listens on, loopback reaches it unless it is bound elsewhere.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "127.0.0.1", "localhost") else settings.host
    url = f"http://{host}:{settings.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        raise fail(f"{url} did not answer: {type(exc).__name__}") from None
    if status != 200:
        raise fail(f"{url} answered {status}")


@db_app.command("upgrade")
@clear_errors
def db_upgrade() -> None:
    """Create or upgrade the database schema (needs no Slack settings)."""
    from serendip.adapters.db.engine import Database
    from serendip.adapters.db.migrate import current_revision, upgrade

    settings = settings_for_command()
    database = Database(settings.database_url)
    try:
        upgrade(database)
    except Exception as exc:
        raise fail(
            f"database upgrade failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        ) from None
    print(f"database at revision {current_revision(database)}")
    database.dispose()


@app.command("import-people")
@clear_errors
def import_people_command(
    file: Annotated[Path, typer.Argument(help="People CSV: id or email, name, department, timezone, ...")],
    team: Annotated[
        str | None, typer.Option(help="Slack team id (default: the one workspace known).")
    ] = None,
) -> None:
    """Load departments, managers, zones and tags from an HR export; exit 2 if any row was rejected."""
    from serendip.adapters.db.engine import Database
    from serendip.adapters.db.migrate import upgrade
    from serendip.domain.people_csv import PeopleFileError, read_people_csv
    from serendip.entrypoints.progress import progress_bar
    from serendip.services.people_import import import_people

    settings = settings_for_command()
    try:
        parsed = read_people_csv(file)
    except PeopleFileError as exc:
        raise fail(str(exc), 1) from None
    # The parsed file lives until the end: keep the collector from re-scanning it on every batch.
    gc.freeze()
    database = Database(settings.database_url, bulk_load=True)
    upgrade(database)
    team_id = team or _only_workspace(database)
    with progress_bar("importing people", len(parsed.rows)) as advance:
        report = import_people(database, team_id=team_id, rows=parsed.rows, progress=advance)
    database.checkpoint()  # others may have the database open: copy the import into its file now
    problems = [(p.line, p.message) for p in parsed.problems] + report.problems
    for line, message in sorted(problems):
        print(f"{file}:{line}: {message}", file=sys.stderr)
    # The file's own count, made apart from the rows: every line is a row, a problem or blank.
    lost = parsed.unaccounted_lines()
    if lost:
        print(f"{file}:{lost[0]}: reading stopped here; {len(lost)} line(s) were not read", file=sys.stderr)
    forgotten = f"; {report.forgotten} skipped (used forget-me)" if report.forgotten else ""
    print(f"loaded {report.loaded} people; {len(problems)} row(s) rejected{forgotten}")
    database.dispose()
    if problems or lost:
        raise typer.Exit(2)


def _only_workspace(database: Any) -> str:
    from serendip.adapters.db.models import Workspace

    with database.transaction() as session:
        ids = [w.id for w in session.query(Workspace).limit(2)]
    if len(ids) != 1:
        found = "no workspace is known yet" if not ids else "several workspaces are known"
        raise fail(f"{found}; pass --team T0123 (your Slack team id)")
    return str(ids[0])


app.command("simulate")(simulate_command)
app.command("report")(report_command)


def main() -> None:
    """Run the CLI."""
    app()
