"""The long-running process kinds: `serve` (HTTP or Socket Mode) and `worker`.

Each checks its settings, Slack (auth.test once) and the database before anything starts, then
migrates, starts the scheduler where it runs one, and answers /healthz and /metrics on
SERENDIP_PORT: HTTP mode on its own server, the others on a small listener.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from serendip.adapters.db.migrate import upgrade
from serendip.bootstrap import Container, build_container
from serendip.config import Settings
from serendip.entrypoints.scheduler import Jobs, wait_forever
from serendip.entrypoints.startup import StartupError, TokenRefused, check_database, check_slack
from serendip.observability.health import Health, Heartbeat, check_health
from serendip.observability.listener import HealthListener
from serendip.services import uninstall
from serendip.services.lifecycle import plan_worker

log = logging.getLogger(__name__)


def prepare(settings: Settings, *needed: str) -> Container:
    """Require the Slack mode's and ``needed`` settings, then check Slack and the database, then migrate.

    OAuth mode has no token to check at startup: each installation's token is checked by its use.
    """
    settings.require_slack_mode()
    settings.require(*needed)
    container = build_container(settings)
    team_id = None if container.clients.oauth_mode else check_slack(container.clients.for_team())
    check_database(container.db)
    upgrade(container.db)
    if team_id is not None:
        # Slack accepts the token, so the app is installed there: a workspace marked uninstalled is back.
        uninstall.mark_reinstalled(container.db, team_id)
    if container.clients.oauth_mode:
        log.info("startup.oauth_mode installations=%d", len(container.clients.scope_ids()))
    return container


def purge_only(settings: Settings, refused: TokenRefused) -> Container:
    """The worker's container when Slack refused the token: fine while some workspace is marked
    uninstalled (the token was revoked with the app), else the refusal stands."""
    container = build_container(settings)
    check_database(container.db)
    upgrade(container.db)
    waiting = uninstall.uninstalled_count(container.db)
    if not waiting:
        raise refused
    log.warning(
        "startup.token_refused reason=%s uninstalled_workspaces=%d mode=purge_only",
        refused.reason,
        waiting,
    )
    return container


def health_of(container: Container, heartbeat: Heartbeat | None) -> Callable[[], Health]:
    """The /healthz answer of this process."""
    return lambda: check_health(container.db.is_healthy, heartbeat)


def listen(host: str, port: int, health: Callable[[], Health]) -> HealthListener:
    """Bind the /healthz and /metrics listener, or fail with one line when the port is taken."""
    try:
        return HealthListener(host, port, health).start()
    except OSError as exc:
        raise StartupError(f"cannot listen on {host}:{port} (SERENDIP_PORT): {exc.strerror or exc}") from None


def run_serve(settings: Settings, *, host: str, port: int, scheduler: bool) -> None:
    """`serendip serve`: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on /slack/events."""
    from serendip.entrypoints.server import http_server, socket_mode_handler

    socket_mode = settings.slack_app_token is not None
    container = prepare(settings, "SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET")
    if scheduler and container.db.dialect == "sqlite":
        # Commands and the round's planner share SQLite's one write lock: the planner, seeing this
        # process's open transactions, lets a command in whenever one may be waiting.
        plan_worker.count_open_transactions(container.db)
    jobs = Jobs(container).start() if scheduler else None
    heartbeat = jobs.heartbeat if jobs is not None else None
    listener = None
    _stop_on_sigterm(raise_exit=socket_mode)
    try:
        if socket_mode:
            listener = listen(host, port, health_of(container, heartbeat))
            log.info("serve.start mode=socket health_port=%s", listener.port)
            # slack_bolt's BaseSocketModeHandler.start() carries no annotations (its typing is incomplete).
            socket_mode_handler(container).start()  # type: ignore[no-untyped-call]
            return
        server = http_server(container, host, port, heartbeat=heartbeat)
        log.info("serve.start mode=http host=%s port=%s", host, port)
        server.run()
    finally:
        if listener is not None:
            listener.stop()
        container.stop_background_work()  # a round an `admin run` is delivering hands its lease back
        if jobs is not None:
            jobs.stop()


def _stop_on_sigterm(*, raise_exit: bool) -> None:
    """Make SIGTERM end `serve` through its clean-up (deliveries hand their rounds back, the scheduler
    stops), not kill it where it stands.

    In HTTP mode uvicorn shuts down on SIGTERM and then raises the signal again for the handler it
    found: the default one would kill the process before the clean-up, so a no-op one is set here.
    In Socket Mode nothing catches it, so the handler ends the blocking `start()` by SystemExit.
    """
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (a test calling run_serve from a thread)

    def stopping(signum: int, _frame: FrameType | None) -> None:
        log.info("serve.stopping signal=%s", signal.Signals(signum).name)
        if raise_exit:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, stopping)


def run_worker(
    settings: Settings, *, host: str, port: int, tick_seconds: float, lease_seconds: float
) -> None:
    """`serendip worker`: the scheduler alone, with /healthz and /metrics on a small listener.

    When Slack refuses the token because the app was uninstalled, the worker still runs the
    retention and the purge (they need no token), so the uninstalled workspace's data is deleted
    after SERENDIP_UNINSTALL_GRACE_DAYS even by a worker started after the uninstall.
    """
    try:
        container = prepare(settings)
        jobs = Jobs(container, tick_seconds=tick_seconds, lease_seconds=lease_seconds)
    except TokenRefused as refused:
        container = purge_only(settings, refused)
        jobs = Jobs(container, rounds=False, sync=False, upkeep=True)
    listener = listen(host, port, health_of(container, jobs.heartbeat))
    jobs.start()
    try:
        wait_forever()
    except KeyboardInterrupt:
        pass
    finally:
        jobs.stop()
        listener.stop()
