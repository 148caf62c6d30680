"""normalised salary per year and seniority

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("salary_annual_min", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("salary_annual_max", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("seniority", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("seniority")
        batch_op.drop_column("salary_annual_max")
        batch_op.drop_column("salary_annual_min")
