"""The rules between a program's kind and its group size: `kind` changes only between seasons, a
size must fit the kind, and a kind the old size does not fit resets it to the kind's default."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from serendip.adapters.db.models import Program
from serendip.domain.commands import AdminSetting
from serendip.domain.program_kinds import DEFAULT_SIZES, ProgramKind, kind_of, size_fits, sizes_text
from serendip.services.errors import ServiceError
from serendip.services.lifecycle.season_clock import VOTE_PERIOD, kind_is_fixed, open_season

KIND_FIXED = (
    ":calendar: A program's kind changes only between seasons, and {when}. Nothing was changed: "
    "set the kind again once the season and its vote are over."
)


class SettingRefused(ServiceError):
    """A setting that cannot be used for this program now; `field` names it (the settings form's block)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Fitted:
    """Stored values that replace or add to the asked ones, and why each differs from what was asked."""

    values: dict[AdminSetting, Any] = field(default_factory=dict)
    why: dict[AdminSetting, str] = field(default_factory=dict)


def _size_words(size: int) -> str:
    return {2: "pairs", 3: "trios"}.get(size, f"groups of {size}")


def fit_kind_and_size(
    session: Session, program: Program, values: Mapping[AdminSetting, Any], now: dt.datetime
) -> Fitted:
    """Check the asked kind and size against each other and the season; SettingRefused if they clash."""
    old_kind = kind_of(program.kind)
    new_kind = kind_of(values.get(AdminSetting.KIND, program.kind))
    switching = new_kind is not old_kind
    if switching and kind_is_fixed(session, program, now):
        raise SettingRefused(KIND_FIXED.format(when=_season_words(session, program, now)), "kind")
    fitted = Fitted()
    asked = values.get(AdminSetting.SIZE)
    size = int(asked) if asked is not None else program.group_size
    if not size_fits(new_kind, size):
        # The settings form sends every field: an untouched size is reset like an unsent one.
        if asked is not None and not (switching and size == program.group_size):
            raise SettingRefused(
                f"{_size_words(size).capitalize()} don't fit {_program_words(new_kind)}: "
                f"pick a size from {sizes_text(new_kind)}. Nothing was changed.",
                "size",
            )
        fitted.values[AdminSetting.SIZE] = DEFAULT_SIZES[new_kind]
        fitted.why[AdminSetting.SIZE] = (
            f"{_size_words(size)} don't fit {new_kind.value}, which take {sizes_text(new_kind)} people, "
            "so the size is back to their default"
        )
    season = values.get(AdminSetting.SEASON)
    if (
        season is not None
        and season != program.season_weeks
        and new_kind is ProgramKind.CIRCLES
        and open_season(session, program, now) is not None
    ):
        fitted.why[AdminSetting.SEASON] = "from the next season; this one keeps its end"
    return fitted


def _program_words(kind: ProgramKind) -> str:
    return "a circles program" if kind is ProgramKind.CIRCLES else "an intros program"


def _season_words(session: Session, program: Program, now: dt.datetime) -> str:
    """'this season runs until Mon 1 Mar 2027 (its circles then vote for three days)', or why else."""
    season = open_season(session, program, now)
    if season is None:
        return "this program's circles are still meeting"
    zone = ZoneInfo(program.timezone)
    if season.ends_at > now:
        day = season.ends_at.astimezone(zone)
        return f"this season runs until {day:%a} {day.day} {day:%b %Y} (its circles then vote for three days)"
    closes = (season.vote_closes_at or season.ends_at + VOTE_PERIOD).astimezone(zone)
    return f"this season's circles are voting until {closes:%a} {closes.day} {closes:%b %Y} {closes:%H:%M}"
