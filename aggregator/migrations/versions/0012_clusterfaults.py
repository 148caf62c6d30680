"""a whole-crawl run of a split crawl records until when its coordinator is known to be alive

Revision ID: 0012_clusterfaults
Revises: 0011_perf

The coordinator of a split crawl (aggregator.cluster) may run on any host; a coordinator that dies
leaves its whole-crawl run ``running``. While it runs it pushes ``heartbeat_expires_at`` forward
(the database's clock, so hosts need not agree on the time); any host seeing a run still open past
that moment marks it failed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_clusterfaults"
down_revision: str | None = "0011_perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_expires_at")
