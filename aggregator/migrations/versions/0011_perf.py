"""indexes on postings.listed_url and postings.url

Revision ID: 0011_perf
Revises: 0010_scaleout

A page seen unchanged (touch_listed) and a page found gone (close_gone) are looked up by URL; without
an index each lookup read every posting of the board. Hash indexes on PostgreSQL: equality is all
they serve, and a btree refuses keys longer than about 2.7 kB, which a URL may be.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_perf"
down_revision: str | None = "0010_scaleout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (("ix_postings_listed_url", "listed_url"), ("ix_postings_url", "url"))


def upgrade() -> None:
    for name, column in INDEXES:
        op.create_index(name, "postings", [column], postgresql_using="hash")


def downgrade() -> None:
    for name, _ in INDEXES:
        op.drop_index(name, table_name="postings")
