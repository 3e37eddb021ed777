"""Changing a program: settings, pause and resume, program admins; every change is audited."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Program, ProgramAdmin
from serendip.domain.commands import AdminSetting, SettingValue, Weekday
from serendip.services import members
from serendip.services.errors import ServiceError
from serendip.services.kind_rules import SettingRefused, fit_kind_and_size
from serendip.services.lifecycle.season_clock import reschedule
from serendip.services.ports import Directory

__all__ = ["SettingRefused"]

log = logging.getLogger(__name__)

# Which Program column each setting is stored in.
COLUMNS: dict[AdminSetting, str] = {
    AdminSetting.FREQUENCY: "frequency",
    AdminSetting.DAY: "weekday",
    AdminSetting.TIME: "local_time",
    AdminSetting.TIMEZONE: "timezone",
    AdminSetting.SIZE: "group_size",
    AdminSetting.MODE: "repeat_mode",
    AdminSetting.COOLDOWN: "cooldown_rounds",
    AdminSetting.FOLLOWUP: "followup_enabled",
    AdminSetting.WELCOME: "welcome_text",
    AdminSetting.KIND: "kind",
    AdminSetting.SEASON: "season_weeks",
}
LABELS: dict[AdminSetting, str] = {
    AdminSetting.FREQUENCY: "frequency",
    AdminSetting.DAY: "day",
    AdminSetting.TIME: "time",
    AdminSetting.TIMEZONE: "time zone",
    AdminSetting.SIZE: "group size",
    AdminSetting.MODE: "repeat mode",
    AdminSetting.COOLDOWN: "cooldown",
    AdminSetting.FOLLOWUP: "follow-up",
    AdminSetting.WELCOME: "welcome message",
    AdminSetting.KIND: "kind",
    AdminSetting.SEASON: "season length",
}
AUDIT_TEXT_LIMIT = 500


@dataclass(frozen=True)
class Change:
    """One setting that changed: stored values before and after."""

    setting: AdminSetting
    old: Any
    new: Any
    why: str = ""  # a change the admin did not ask for, or one that waits, says so

    def describe(self) -> str:
        """'group size: 2 → 3' (the welcome text is not repeated)."""
        if self.setting is AdminSetting.WELCOME:
            return "welcome message updated"
        line = f"{LABELS[self.setting]}: {shown(self.setting, self.old)} → {shown(self.setting, self.new)}"
        return f"{line} ({self.why})" if self.why else line


@dataclass
class Outcome:
    """What an administrative command did, for the reply and the channel announcement."""

    program_id: int
    channel_id: str
    timezone: str
    next_run_at: dt.datetime | None
    is_paused: bool
    changes: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def stored(setting: AdminSetting, value: SettingValue | None) -> Any:
    """A parsed setting value as its Program column keeps it."""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Weekday):
        return int(value)
    if setting in (AdminSetting.FREQUENCY, AdminSetting.MODE, AdminSetting.KIND):
        return str(value)
    return value


def shown(setting: AdminSetting, value: Any) -> str:
    """A stored value as people read it."""
    if value is None:
        return "default"
    if setting is AdminSetting.DAY:
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[int(value)]
    if setting is AdminSetting.FOLLOWUP:
        return "on" if value else "off"
    if setting is AdminSetting.COOLDOWN:
        return f"{value} round{'s' if value != 1 else ''}"
    if setting is AdminSetting.SIZE:
        return {2: "pairs", 3: "trios"}.get(int(value), f"groups of {value}")
    if setting is AdminSetting.SEASON:
        return f"{value} weeks"
    return str(value)


def current_settings(program: Program) -> dict[AdminSetting, Any]:
    """Every setting's stored value."""
    return {setting: getattr(program, column) for setting, column in COLUMNS.items()}


def _outcome(program: Program) -> Outcome:
    return Outcome(program.id, program.channel_id, program.timezone, program.next_run_at, program.is_paused)


def _audit(session: Session, program: Program, actor: str, action: str, detail: dict[str, Any]) -> None:
    repo.add_audit(
        session,
        workspace_id=program.workspace_id,
        program_id=program.id,
        actor=actor,
        action=action,
        detail=detail,
    )


def _audited(value: Any) -> Any:
    return value[:AUDIT_TEXT_LIMIT] if isinstance(value, str) else value


def change_settings(
    session: Session,
    program: Program,
    *,
    actor: str,
    values: Mapping[AdminSetting, SettingValue | None],
    now: dt.datetime,
) -> Outcome:
    """Apply settings, audit each real change (old → new) and reschedule the next run at once.

    `kind` changes only between seasons, and a size must fit the program's (new) kind: otherwise
    SettingRefused and nothing changes. A kind the old size does not fit resets it, and says so.
    """
    changes: list[Change] = []
    outcome = _outcome(program)
    fitted = fit_kind_and_size(session, program, {s: stored(s, v) for s, v in values.items()}, now)
    for setting, value in values.items():
        old, new = getattr(program, COLUMNS[setting]), fitted.values.get(setting, stored(setting, value))
        if old == new:
            outcome.unchanged.append(f"{LABELS[setting]} is already {shown(setting, old)}")
            continue
        setattr(program, COLUMNS[setting], new)
        changes.append(Change(setting, old, new, fitted.why.get(setting, "")))
        detail = {"setting": setting.value, "old": _audited(old), "new": _audited(new)}
        _audit(session, program, actor, "program.set", detail)
    for setting, new in fitted.values.items():
        if setting in values:
            continue
        old = getattr(program, COLUMNS[setting])
        setattr(program, COLUMNS[setting], new)  # a reset the admin did not ask for, audited the same
        changes.append(Change(setting, old, new, fitted.why.get(setting, "")))
        _audit(session, program, actor, "program.set", {"setting": setting.value, "old": old, "new": new})
    if changes:
        reschedule(session, program, now)
        log.info(
            "program.settings_changed program_id=%s settings=%s",
            program.id,
            ",".join(c.setting.value for c in changes),
        )
    outcome.next_run_at = program.next_run_at
    outcome.changes = [c.describe() for c in changes]
    return outcome


def set_paused(session: Session, program: Program, *, actor: str, paused: bool, now: dt.datetime) -> Outcome:
    """Pause or resume a program's rounds; resuming schedules the next run from now."""
    if program.is_paused == paused:
        outcome = _outcome(program)
        outcome.unchanged.append("the program is already " + ("paused" if paused else "running"))
        return outcome
    program.is_paused = paused
    if not paused:
        reschedule(session, program, now)
    _audit(
        session,
        program,
        actor,
        "program.pause" if paused else "program.resume",
        {"old": not paused, "new": paused},
    )
    log.info("program.%s program_id=%s", "paused" if paused else "resumed", program.id)
    outcome = _outcome(program)
    outcome.changes.append("rounds paused" if paused else "rounds resumed")
    return outcome


def change_admins(
    session: Session,
    directory: Directory,
    program: Program,
    *,
    actor: str,
    action: str,
    user_ids: Sequence[str],
) -> Outcome:
    """Add or remove named program admins; bots and deactivated accounts cannot be admins."""
    outcome = _outcome(program)
    for user_id in user_ids:
        is_admin = repo.is_program_admin(session, program.id, user_id)
        if action == "add":
            if is_admin:
                outcome.unchanged.append(f"<@{user_id}> is already a program admin")
                continue
            member = members.ensure_member(session, directory, program.workspace_id, user_id)
            if member.is_bot or member.is_deleted:
                raise ServiceError(f"<@{user_id}> is a bot or a deactivated account and can't be an admin.")
            session.add(ProgramAdmin(program_id=program.id, slack_id=user_id, added_by=actor))
            session.flush()
        else:
            if not is_admin:
                note = (
                    " (they set the program up, which keeps them in charge)"
                    if user_id == program.created_by
                    else ""
                )
                outcome.unchanged.append(f"<@{user_id}> isn't a named program admin{note}")
                continue
            session.delete(session.get(ProgramAdmin, (program.id, user_id)))
            session.flush()
        _audit(session, program, actor, f"program.admin_{action}", {"user": user_id})
        outcome.changes.append(
            f"<@{user_id}> {'is now' if action == 'add' else 'is no longer'} a program admin"
        )
    log.info(
        "program.admins_changed program_id=%s action=%s count=%d", program.id, action, len(outcome.changes)
    )
    return outcome
