"""The circles tables: a season's meetings, members' answers, closing votes and the waitlist.

A season is a `Round` of a circles program and a circle is an `Intro` with a `topic`, so circle
intros reuse round delivery (exactly once, retries, the workspace's call budget) unchanged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from serendip.adapters.db.models import Base
from serendip.adapters.db.types import utcnow


class CircleMeeting(Base):
    """One of a circle's regular meetings: its host, its nudge, and whether it was held."""

    __tablename__ = "circle_meetings"
    __table_args__ = (UniqueConstraint("intro_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intro_id: Mapped[int] = mapped_column(ForeignKey("intros.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the season
    host_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    # Set just before the nudge is posted: if the outcome is unknown, the post is looked for first.
    post_started_at: Mapped[datetime | None]
    message_ts: Mapped[str | None] = mapped_column(String(32))
    held: Mapped[bool | None] = mapped_column(Boolean)  # None until someone answers for the circle
    answered_at: Mapped[datetime | None]


class CircleAnswer(Base):
    """A member's answer to one meeting's nudge: met or skipped this time."""

    __tablename__ = "circle_answers"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("circle_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    answer: Mapped[str] = mapped_column(String(8))  # "met" | "skipped"
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class CircleVote(Base):
    """A member's end-of-season vote: keep the circle going, or let it end."""

    __tablename__ = "circle_votes"

    intro_id: Mapped[int] = mapped_column(ForeignKey("intros.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    keep: Mapped[bool] = mapped_column(Boolean)
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class SeasonWaitlist(Base):
    """A member not in a circle this season, why, and whether they were told."""

    __tablename__ = "season_waitlist"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(255))
    suggested_topics: Mapped[str] = mapped_column(String(255), default="")  # comma-separated
    notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
