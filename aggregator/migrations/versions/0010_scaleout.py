"""crawl runs record the part of a split crawl they ran and the whole-crawl run they belong to

Revision ID: 0010_scaleout
Revises: 0009_frontspeed

A board's crawl split over scrapyd nodes (aggregator.cluster) runs as parts: each part is a run with
``shard`` ("I/N") and ``parent_run_id`` (the whole-crawl run the coordinator writes). Whole crawls,
split or not, have no shard; only they enter the history health verdicts compare against.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scaleout"
down_revision: str | None = "0009_frontspeed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite adds a foreign key only by rebuilding the table (crawl_runs has no triggers).
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shard", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("parent_run_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_crawl_runs_parent_run_id"), ["parent_run_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_crawl_runs_parent_run_id_crawl_runs"), "crawl_runs", ["parent_run_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_crawl_runs_parent_run_id_crawl_runs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_crawl_runs_parent_run_id"))
        batch_op.drop_column("parent_run_id")
        batch_op.drop_column("shard")
