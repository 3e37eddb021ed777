"""shared Slack call budgets and resumable directory sync progress

Revision ID: 83aeb3955fa4
Revises: 9793acf6949d
Create Date: 2026-12-01 10:00:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "83aeb3955fa4"
down_revision: Union[str, Sequence[str], None] = "9793acf6949d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "slack_call_budgets",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("recent", sa.JSON(), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "method", name=op.f("pk_slack_call_budgets")),
    )
    op.create_table(
        "directory_sync_progress",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("users_seen", sa.Integer(), nullable=False),
        sa.Column("profiles_done", sa.Integer(), nullable=False),
        sa.Column("profiles_total", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_directory_sync_progress")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("directory_sync_progress")
    op.drop_table("slack_call_budgets")
