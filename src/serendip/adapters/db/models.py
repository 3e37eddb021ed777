"""SQLAlchemy 2 typed models: the only description of the schema (migrations must agree)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from serendip.adapters.db.types import StateString, UTCDateTime, utcnow
from serendip.domain.lifecycle import IntroState, RoundState

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations are reproducible."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Workspace(Base):
    """A Slack workspace (team) the bot is installed in."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    department_field_id: Mapped[str | None] = mapped_column(String(32))
    directory_synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the app lost its last token here: rounds stop, and the data is purged after
    # SERENDIP_UNINSTALL_GRACE_DAYS unless a reinstall clears it.
    uninstalled_at: Mapped[datetime | None]


class Member(Base):
    """A person in a workspace, with what matching needs to know about them."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255), default="")
    real_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    title: Mapped[str | None] = mapped_column(String(255))
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    tz_offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    work_start_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)
    work_end_minute: Mapped[int] = mapped_column(Integer, default=17 * 60)
    department: Mapped[str | None] = mapped_column(String(255))
    # hr > directory > self: a weaker source never overwrites a stronger one.
    department_source: Mapped[str | None] = mapped_column(String(16))
    # The department's identity (domain.departments.department_key): what "same team" compares.
    department_key: Mapped[str | None] = mapped_column(String(255))
    # hr > slack: where `tz` came from; offsets are computed from the zone name at round time.
    tz_source: Mapped[str | None] = mapped_column(String(16))
    manager_slack_id: Mapped[str | None] = mapped_column(String(32))
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    is_workspace_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    may_be_asked: Mapped[bool] = mapped_column(Boolean, default=True)
    profile_synced_at: Mapped[datetime | None]
    department_synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tags: Mapped[list[MemberTag]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True
    )


class MemberTag(Base):
    """One normalised expertise or interest tag of a member."""

    __tablename__ = "member_tags"
    __table_args__ = (
        UniqueConstraint("member_id", "kind", "tag"),
        Index("ix_member_tags_kind_tag", "kind", "tag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "expertise" | "interest"
    tag: Mapped[str] = mapped_column(String(40))

    member: Mapped[Member] = relationship(back_populates="tags")


class MemberBlock(Base):
    """A person a member would rather not be paired with."""

    __tablename__ = "member_blocks"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    blocked_slack_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class Program(Base):
    """A Slack channel that Serendip runs intros in, with its settings."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    channel_name: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[str | None] = mapped_column(String(32))
    frequency: Mapped[str] = mapped_column(String(16), default="weekly")
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    local_time: Mapped[str] = mapped_column(String(5), default="10:00")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    group_size: Mapped[int] = mapped_column(Integer, default=2)
    repeat_mode: Mapped[str] = mapped_column(String(8), default="prefer")
    # "intros" (rounds of one-off groups) or "circles" (topic circles meeting for a season).
    kind: Mapped[str] = mapped_column(String(8), default="intros", server_default="intros")
    season_weeks: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    cooldown_rounds: Mapped[int] = mapped_column(Integer, default=8)
    followup_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    welcome_text: Mapped[str | None] = mapped_column(Text)
    is_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    anchor_date: Mapped[datetime] = mapped_column(default=utcnow)
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    # The seed the next round will use (so `admin preview` shows exactly what it sends), and a
    # fingerprint of the eligible membership it was drawn for: a change draws a new seed.
    next_seed: Mapped[int | None] = mapped_column(BigInteger)
    next_seed_basis: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    admins: Mapped[list[ProgramAdmin]] = relationship(
        back_populates="program", cascade="all, delete-orphan", passive_deletes=True
    )


class ProgramAdmin(Base):
    """A member named as an admin of one program."""

    __tablename__ = "program_admins"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    slack_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    program: Mapped[Program] = relationship(back_populates="admins")


class Enrolment(Base):
    """A member's participation in one program: active, paused, skipping or opted out."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("program_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # None while paused means "until /coffee resume".
    paused_until: Mapped[datetime | None]
    skip_next: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    opted_out_at: Mapped[datetime | None]
    # Slack's event_ts (in microseconds) of the latest member_joined/left_channel event applied: Slack's
    # events arrive, and are handled, in any order; an older one must not undo a newer one.
    channel_event_us: Mapped[int | None] = mapped_column(BigInteger)


class Round(Base):
    """One scheduled run of a program."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("program_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    scheduled_for: Mapped[datetime]
    state: Mapped[RoundState] = mapped_column(StateString(RoundState), default=RoundState.PENDING)
    seed: Mapped[int] = mapped_column(BigInteger, default=0)
    quality: Mapped[dict[str, Any] | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    followup_due_at: Mapped[datetime | None] = mapped_column(index=True)
    followup_done: Mapped[bool] = mapped_column(Boolean, default=False)
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    # Set when the round is closed, before the summary is posted: summaries are sent at most once.
    summary_started_at: Mapped[datetime | None]
    # A circles program's round is a season: it ends here, then its circles vote until vote_closes_at.
    season_ends_at: Mapped[datetime | None]
    vote_closes_at: Mapped[datetime | None]
    # Set before the closing messages are posted: each season is closed at most once.
    season_closing_started_at: Mapped[datetime | None]


class Intro(Base):
    """One group introduced in a round, and how far its delivery got."""

    __tablename__ = "intros"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    state: Mapped[IntroState] = mapped_column(StateString(IntroState), default=IntroState.PENDING)
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    failure_reason: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Set just before chat.postMessage: if the outcome is unknown, the post is confirmed first.
    post_started_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    followup_ts: Mapped[str | None] = mapped_column(String(32))
    # Set just before the follow-up is posted: if the outcome is unknown, the post is looked for first.
    followup_started_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    # Circles only: the topic, where the circle stands (CircleState), and the circle's first intro
    # (leaving and merging open a new group DM, so one circle can span several intros).
    topic: Mapped[str | None] = mapped_column(String(40))
    circle_state: Mapped[str | None] = mapped_column(String(12))
    circle_root_id: Mapped[int | None] = mapped_column(Integer, index=True)

    members: Mapped[list[IntroMember]] = relationship(
        back_populates="intro", cascade="all, delete-orphan", passive_deletes=True
    )


class IntroMember(Base):
    """A member placed in an intro (the pairing history)."""

    __tablename__ = "intro_members"

    intro_id: Mapped[int] = mapped_column(ForeignKey("intros.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    intro: Mapped[Intro] = relationship(back_populates="members")


class IntroOutcome(Base):
    """A member's answer to an intro: met, scheduled or can't make it."""

    __tablename__ = "intro_outcomes"
    __table_args__ = (UniqueConstraint("intro_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intro_id: Mapped[int] = mapped_column(ForeignKey("intros.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who changed what, when: old and new values of every administrative change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExpertAsk(Base):
    """One `/coffee ask`: who asked whom about what, and the expert's answer."""

    __tablename__ = "expert_asks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), index=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="offered")  # offered|requested|accepted|declined
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None]


class Department(Base):
    """A workspace's department: its identity key and the first-seen spelling that is shown."""

    __tablename__ = "departments"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DoNotEnrol(Base):
    """A forgotten member's keyed id hash: never enrolled again until they `/coffee join`.

    Holds nothing else (no id, name or e-mail); the key is a random secret in `app_secrets`.
    """

    __tablename__ = "do_not_enrol"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppSecret(Base):
    """Random secrets generated once per deployment (e.g. the do-not-enrol hash key)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AcceptedRequest(Base):
    """A signed Slack request already accepted: a replay of it within the signature window is ignored.

    Only a hash of the signature is kept (nothing of the body), for a little longer than Slack's
    5-minute window; every replica shares the table.
    """

    __tablename__ = "accepted_requests"

    signature_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SlackCallBudget(Base):
    """One Slack method's rate budget in one workspace, shared by every replica.

    `recent` holds the epoch seconds of the calls made in the last window (at most the method's
    limit), `paused_until` the end of a 429's Retry-After.
    """

    __tablename__ = "slack_call_budgets"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    recent: Mapped[list[float]] = mapped_column(JSON, default=list)
    paused_until: Mapped[datetime | None]


class DirectorySyncProgress(Base):
    """How far a workspace's directory pass got, so a restart continues it instead of starting over."""

    __tablename__ = "directory_sync_progress"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phase: Mapped[str] = mapped_column(String(16))  # users, departments or done
    cursor: Mapped[str | None] = mapped_column(Text)  # the next users.list page
    pages: Mapped[int] = mapped_column(Integer, default=0)
    users_seen: Mapped[int] = mapped_column(Integer, default=0)
    profiles_done: Mapped[int] = mapped_column(Integer, default=0)
    profiles_total: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgramSnapshot(Base):
    """A large program's dashboard figures, computed by the worker: the admins' health panel and
    the expertise cloud, so opening the App Home never recounts 100,000 people's history."""

    __tablename__ = "program_snapshots"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[datetime]
    # [[label, value], ...]: the health panel's rows as shown.
    health: Mapped[list[list[str]]] = mapped_column(JSON)
    # [[tag, count], ...], most common first.
    expertise_cloud: Mapped[list[list[Any]]] = mapped_column(JSON)
