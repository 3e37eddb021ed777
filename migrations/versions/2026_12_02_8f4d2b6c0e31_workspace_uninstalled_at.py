"""workspaces.uninstalled_at: when the app lost its last token there (rounds stop; data purged later)

Revision ID: 8f4d2b6c0e31
Revises: 7e3c1a9b5d20
Create Date: 2026-12-02 09:00:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "8f4d2b6c0e31"
down_revision: Union[str, Sequence[str], None] = "7e3c1a9b5d20"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uninstalled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Never recreate the table: on SQLite that drops `workspaces`, and ON DELETE CASCADE would take
    # every member and program with it. SQLite 3.35+ drops a plain column in place.
    with op.batch_alter_table("workspaces", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("uninstalled_at")
