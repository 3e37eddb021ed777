"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import CursorResult, DateTime, Result, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and store everything in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Give back an aware UTC datetime whatever the engine returned."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


S = TypeVar("S", bound=StrEnum)


class StateString(TypeDecorator[S]):
    """A state enum stored as its plain string value, so the column stays a VARCHAR and no value changes."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[S], length: int = 16) -> None:
        super().__init__(length)
        self.enum, self.length = enum, length

    def process_bind_param(self, value: S | str | None, dialect: Dialect) -> str | None:
        """Store the value, refusing a string that is not one of the enum's states."""
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> S | None:
        """Give back the enum member for a stored string."""
        return None if value is None else self.enum(value)


def affected_rows(result: Result[*tuple[object, ...]]) -> int:
    """How many rows an UPDATE or DELETE matched.

    `Session.execute` is typed as returning a `Result` for every statement; for DML it is a
    `CursorResult`, the type that has `rowcount`.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of an UPDATE or DELETE: {type(result).__name__}")
    return result.rowcount


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
