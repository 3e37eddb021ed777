"""enrolments: the time of the latest channel join or leave applied

Revision ID: 83e6b61dcbcc
Revises: 9a5c3e7f1b42
Create Date: 2026-12-02 03:10:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "83e6b61dcbcc"
down_revision: Union[str, Sequence[str], None] = "9a5c3e7f1b42"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_event_us", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Never recreate the table: on SQLite that drops it, and ON DELETE CASCADE would take every
    # dependent row with it. SQLite 3.35+ drops a plain column in place.
    with op.batch_alter_table("enrolments", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("channel_event_us")
