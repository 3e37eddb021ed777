"""The two kinds of program (intros and circles), the group sizes each allows, and season lengths."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from serendip.domain.circles.model import DEFAULT_CIRCLE_SIZE, MAX_CIRCLE_SETTING, MIN_CIRCLE_SETTING
from serendip.domain.matching.model import MAX_SETTING_SIZE, MIN_SETTING_SIZE


class ProgramKind(StrEnum):
    """What a program runs: rounds of one-off intros, or topic circles that meet for a season."""

    INTROS = "intros"
    CIRCLES = "circles"


# The sizes `set size` allows for each kind, and the size a program switched to that kind gets
# when its old size does not fit.
SIZES: dict[ProgramKind, range] = {
    ProgramKind.INTROS: range(MIN_SETTING_SIZE, MAX_SETTING_SIZE + 1),
    ProgramKind.CIRCLES: range(MIN_CIRCLE_SETTING, MAX_CIRCLE_SETTING + 1),
}
DEFAULT_SIZES: dict[ProgramKind, int] = {ProgramKind.INTROS: 2, ProgramKind.CIRCLES: DEFAULT_CIRCLE_SIZE}
# Every size some kind allows: what the command parser accepts before it knows the program.
ANY_SIZE = range(min(r.start for r in SIZES.values()), max(r.stop for r in SIZES.values()))
SEASON_WEEKS = range(6, 27)
DEFAULT_SEASON_WEEKS = 12

_KINDS = {
    "intros": ProgramKind.INTROS,
    "intro": ProgramKind.INTROS,
    "circles": ProgramKind.CIRCLES,
    "circle": ProgramKind.CIRCLES,
}
_WEEKS = re.compile(r"([0-9]{1,3}) ?(?:w|wk|wks|week|weeks)")


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def read_kind(text: str) -> ProgramKind | None:
    """intros|circles (the singular too)."""
    return _KINDS.get(_word(text))


def read_season(text: str) -> int | None:
    """A season length in whole weeks, like `12w` or `12 weeks`, from 6 to 26; else None."""
    match = _WEEKS.fullmatch(" ".join(_word(text).split()))
    if match is None or int(match[1]) not in SEASON_WEEKS:
        return None
    return int(match[1])


def kind_of(stored: str | None) -> ProgramKind:
    """A program's stored kind (anything unknown reads as intros, the default)."""
    return ProgramKind.CIRCLES if stored == ProgramKind.CIRCLES.value else ProgramKind.INTROS


def size_fits(kind: ProgramKind, size: int) -> bool:
    """Whether a program of this kind may have groups of this size."""
    return size in SIZES[kind]


def sizes_text(kind: ProgramKind) -> str:
    """'2 to 6' for intros, '3 to 8' for circles."""
    allowed = SIZES[kind]
    return f"{allowed.start} to {allowed.stop - 1}"
