"""program snapshots: large programs' health panel and expertise cloud, kept by the worker

Revision ID: 5c1f2a7d9e40
Revises: 83aeb3955fa4
Create Date: 2026-12-01 09:00:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "5c1f2a7d9e40"
down_revision: Union[str, Sequence[str], None] = "83aeb3955fa4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "program_snapshots",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("health", sa.JSON(), nullable=False),
        sa.Column("expertise_cloud", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_program_snapshots_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("program_id", name=op.f("pk_program_snapshots")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("program_snapshots")
