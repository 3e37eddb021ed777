"""`/coffee admin preview` and `run`: the next round's groups, or a round started now."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.types import utcnow
from serendip.services import members
from serendip.services.deps import Deps
from serendip.services.errors import NotAProgramChannel
from serendip.services.lifecycle import deliver, manual, plan
from serendip.services.lifecycle.results import ManualRun, RoundPreview
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

NOT_HERE = "Run this in the program's channel (where `/coffee admin setup` was run)."


@dataclass(frozen=True)
class RunNow:
    """A round `admin run` started (or did not), and the admin's zone for the schedule it reports."""

    run: ManualRun
    tz: str


def _program_id(deps: Deps, team_id: str, channel_id: str) -> int:
    with deps.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            raise NotAProgramChannel(NOT_HERE)
        return program.id


def preview(deps: Deps, *, team_id: str, channel_id: str) -> RoundPreview:
    """What the next round would do; nothing is sent."""
    return plan.preview_round(deps.db, program_id=_program_id(deps, team_id, channel_id))


def run_refusal(deps: Deps, *, team_id: str, channel_id: str) -> str | None:
    """Why `admin run` may not start a round here now (a paused program), or None."""
    with deps.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        return manual.refusal(program) if program is not None else None


def run_now(deps: Deps, *, team_id: str, channel_id: str, user_id: str) -> RunNow:
    """Start a round now; delivery continues in the background under the round's lease."""
    program_id = _program_id(deps, team_id, channel_id)
    run = manual.start_manual_round(
        deps.db, deps.gateway, deps.publisher, program_id=program_id, now=utcnow()
    )
    if run.planned is None or run.planned.held:
        return RunNow(run, "UTC")
    with deps.db.transaction() as session:
        tz = members.ensure_member(session, deps.gateway, team_id, user_id).tz
    threading.Thread(
        target=_deliver, args=(deps, deps.publisher), name="admin-run-delivery", daemon=True
    ).start()
    return RunNow(run, tz)


def _deliver(deps: Deps, publisher: IntroPublisher) -> None:
    try:
        deliver.deliver_pending(deps.db, publisher, deliver.DeliveryPolicy())
    except Exception as exc:  # the scheduler's tick takes over after the lease expires
        log.error("round.delivery_failed error=%s", type(exc).__name__, exc_info=exc)
