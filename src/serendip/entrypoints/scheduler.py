"""Background jobs run by `serendip serve` (unless --no-scheduler): the directory sync."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from serendip.bootstrap import Container
from serendip.services import directory_sync

log = logging.getLogger(__name__)


def run_directory_sync(container: Container, stop: directory_sync.StopFlag) -> None:
    """One incremental directory pass; failures are logged and retried at the next interval."""
    try:
        team_id = str(container.client.auth_test()["team_id"])
        report = directory_sync.sync_directory(
            container.db,
            container.gateway,
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


def start_background_jobs(container: Container) -> tuple[BackgroundScheduler, directory_sync.StopFlag]:
    """Start the scheduler with the daily directory sync, the first one right away."""
    stop = directory_sync.StopFlag()
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        run_directory_sync,
        "interval",
        hours=24,
        args=[container, stop],
        id="directory_sync",
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler, stop
