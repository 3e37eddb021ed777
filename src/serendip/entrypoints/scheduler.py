"""Background jobs of `serendip serve` and `serendip worker`: the round tick, the directory sync,
retention, the purge of uninstalled workspaces and large programs' dashboards."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from serendip.adapters.db.types import utcnow
from serendip.bootstrap import Container
from serendip.observability.health import Heartbeat
from serendip.services import directory_sync, program_snapshots, retention, workspace_purge
from serendip.services.lifecycle import deliver, plan_worker, tick
from serendip.services.lifecycle.plan_worker import Planner

log = logging.getLogger(__name__)


def run_directory_sync(container: Container, stop: directory_sync.StopFlag) -> None:
    """One incremental directory pass per installation, each with its own client; failures are
    logged and retried at the next interval."""
    clients = container.clients
    try:
        scopes = (
            clients.scope_ids() if clients.oauth_mode else [str(clients.for_team().auth_test()["team_id"])]
        )
    except Exception as exc:
        log.error("directory.sync_failed error=%s", type(exc).__name__, exc_info=exc)
        return
    for scope_id in scopes:
        if stop():
            return
        sync_installation(container, scope_id, stop)


def sync_installation(container: Container, team_id: str, stop: directory_sync.StopFlag) -> None:
    """One incremental directory pass of one installation (a workspace, or an org-wide install's org)."""
    try:
        report = directory_sync.sync_directory(
            container.db,
            container.workspaces.slack(team_id),
            team_id=team_id,
            label=container.settings.department_field,
            should_stop=stop,
        )
        log.info(
            "directory.synced team=%s users=%d departments_set=%d",
            team_id,
            report.users,
            report.departments_set,
        )
    except Exception as exc:
        log.error("directory.sync_failed error=%s", type(exc).__name__, exc_info=exc)


def run_retention(container: Container) -> None:
    """Purge what is older than SERENDIP_RETENTION_DAYS; a failure is logged and retried tomorrow."""
    try:
        retention.purge_expired(container.db, days=container.settings.retention_days)
    except Exception as exc:
        log.error("retention.purge_failed error=%s", type(exc).__name__, exc_info=exc)


def run_workspace_purge(container: Container) -> None:
    """Delete workspaces uninstalled more than SERENDIP_UNINSTALL_GRACE_DAYS ago; a failure is
    logged and retried tomorrow."""
    try:
        workspace_purge.purge_uninstalled(container.db, grace_days=container.settings.uninstall_grace_days)
    except Exception as exc:
        log.error("workspace.purge_failed error=%s", type(exc).__name__, exc_info=exc)


def run_snapshots(container: Container) -> None:
    """Recount the dashboards of large programs that are due, in a worker process (CPU-bound like
    planning); a failure is logged and retried at the next interval."""
    try:
        db = container.db
        if not program_snapshots.snapshots_due(db, utcnow()):
            return
        if ":memory:" in db.url:  # one connection: a child process would see another database
            program_snapshots.refresh_snapshots(db, utcnow())
        else:
            plan_worker.snapshots_in_worker(db.url)
    except Exception as exc:
        log.error("snapshot.refresh_failed error=%s", type(exc).__name__, exc_info=exc)


def run_tick(
    container: Container,
    policy: deliver.DeliveryPolicy,
    heartbeat: Heartbeat | None = None,
    planner: Planner | None = None,
) -> None:
    """One round tick; a failure is logged and the next tick tries again."""
    if heartbeat is not None:
        heartbeat.started()
    try:
        report = tick.tick(container.db, container.workspaces, policy, planner=planner)
        if (
            report.started
            or report.skipped
            or report.delivered_rounds
            or report.followups
            or report.circle_posts
        ):
            log.info(
                "scheduler.tick started=%s skipped=%s delivered_rounds=%d followups=%d season_closings=%d "
                "votes_settled=%d nudges=%d circle_cards=%d",
                report.started,
                report.skipped,
                report.delivered_rounds,
                report.followups,
                report.season_closings,
                report.votes_settled,
                report.nudges,
                report.circle_cards,
            )
    except Exception as exc:
        log.error("scheduler.tick_failed error=%s", type(exc).__name__, exc_info=exc)
    finally:
        if heartbeat is not None:
            heartbeat.finished()


class Jobs:
    """The running background jobs of one process."""

    def __init__(
        self,
        container: Container,
        *,
        rounds: bool = True,
        sync: bool = True,
        upkeep: bool | None = None,
        tick_seconds: float = 30.0,
        lease_seconds: float = 60.0,
        planner: Planner | None = None,
    ) -> None:
        self.stop_flag = directory_sync.StopFlag()
        self.policy = deliver.DeliveryPolicy(lease_seconds=lease_seconds)
        self.scheduler = BackgroundScheduler(timezone=UTC)
        # /healthz turns 503 when no round tick ran for three intervals (and a minute's grace).
        self.heartbeat = Heartbeat(stale_after_seconds=3 * tick_seconds + 60) if rounds else None
        if rounds:
            # Large rounds are planned in a worker process, so request threads keep the interpreter.
            tick_args = [container, self.policy, self.heartbeat, planner or Planner()]
            self._every("round_tick", run_tick, tick_args, seconds=tick_seconds)
            self._every("program_snapshots", run_snapshots, [container], seconds=60)
        if rounds if upkeep is None else upkeep:  # retention and the purge; they need no Slack token
            self._every("retention", run_retention, [container], hours=24)
            self._every("workspace_purge", run_workspace_purge, [container], hours=24)
        if sync:
            self._every("directory_sync", run_directory_sync, [container, self.stop_flag], hours=24)

    def _every(self, job_id: str, job: Callable[..., None], args: list[object], **interval: float) -> None:
        """Run ``job(*args)`` now and then at the interval; never two at once, missed runs merged."""
        self.scheduler.add_job(
            job,
            "interval",
            args=args,
            id=job_id,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            **interval,
        )

    def start(self) -> Jobs:
        """Start the scheduler thread (and the planning worker's fork server, when rounds run here)."""
        if self.heartbeat is not None:
            plan_worker.warm_up()
        self.scheduler.start()
        log.info("scheduler.started worker=%s", self.policy.owner)
        return self

    def stop(self) -> None:
        """Stop after the job in progress reaches a safe point (a round being delivered: after the
        intro in hand, its lease given up for another process to take over at once)."""
        self.stop_flag.stop()
        self.policy.stop()
        self.scheduler.shutdown(wait=False)
        if self.heartbeat is not None:
            plan_worker.shut_down()


def wait_forever() -> None:
    """Block the main thread until SIGTERM or Ctrl-C (the worker has no HTTP server to block on)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
