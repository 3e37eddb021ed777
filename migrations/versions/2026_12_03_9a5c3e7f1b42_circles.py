"""circles: program kind and season, circle meetings, answers, votes, waitlist

Revision ID: 9a5c3e7f1b42
Revises: 8f4d2b6c0e31
Create Date: 2026-12-01 13:23:49.155326

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "9a5c3e7f1b42"
down_revision: Union[str, Sequence[str], None] = "8f4d2b6c0e31"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "season_waitlist",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("suggested_topics", sa.String(length=255), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_season_waitlist_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_season_waitlist_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "member_id", name=op.f("pk_season_waitlist")),
    )
    op.create_table(
        "circle_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intro_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("host_member_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("post_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["host_member_id"],
            ["members.id"],
            name=op.f("fk_circle_meetings_host_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["intro_id"], ["intros.id"], name=op.f("fk_circle_meetings_intro_id_intros"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_meetings")),
        sa.UniqueConstraint("intro_id", "number", name=op.f("uq_circle_meetings_intro_id_number")),
    )
    with op.batch_alter_table("circle_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_circle_meetings_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_circle_meetings_intro_id"), ["intro_id"], unique=False)

    op.create_table(
        "circle_votes",
        sa.Column("intro_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("keep", sa.Boolean(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["intro_id"], ["intros.id"], name=op.f("fk_circle_votes_intro_id_intros"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_circle_votes_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("intro_id", "member_id", name=op.f("pk_circle_votes")),
    )
    op.create_table(
        "circle_answers",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["circle_meetings.id"],
            name=op.f("fk_circle_answers_meeting_id_circle_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_circle_answers_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "member_id", name=op.f("pk_circle_answers")),
    )
    with op.batch_alter_table("intros", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("circle_state", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("circle_root_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_intros_circle_root_id"), ["circle_root_id"], unique=False)

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="intros", nullable=False))
        batch_op.add_column(sa.Column("season_weeks", sa.Integer(), server_default="12", nullable=False))

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("season_ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("vote_closes_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("season_closing_started_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Never recreate a table: on SQLite that drops it, and ON DELETE CASCADE would take every
    # dependent row with it. SQLite 3.35+ drops a plain column in place.
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("season_closing_started_at")
        batch_op.drop_column("vote_closes_at")
        batch_op.drop_column("season_ends_at")

    with op.batch_alter_table("programs", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("season_weeks")
        batch_op.drop_column("kind")

    with op.batch_alter_table("intros", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_intros_circle_root_id"))
        batch_op.drop_column("circle_root_id")
        batch_op.drop_column("circle_state")
        batch_op.drop_column("topic")

    op.drop_table("circle_answers")
    op.drop_table("circle_votes")
    with op.batch_alter_table("circle_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_circle_meetings_intro_id"))
        batch_op.drop_index(batch_op.f("ix_circle_meetings_due_at"))

    op.drop_table("circle_meetings")
    op.drop_table("season_waitlist")
