"""the dedup key index holds the posting id: lookups read the index only

Revision ID: 0014_dedup_keys_covering
Revises: 0013_toast_lz4

Job assignment reads, for each batch, every posting filed under its postings' keys: tens of
thousands of (key, posting id) pairs, in key order. An index on the key alone gave each pair a
second lookup in the table for its posting id, and SQLite a sort besides; on (key, posting id)
the index answers the read in order by itself (a covering index in SQLite, an index-only scan in
PostgreSQL). It replaces the index on the key: it serves every lookup by key as well.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_dedup_keys_covering"
down_revision: str | None = "0013_toast_lz4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_dedup_keys_key_posting_id", "dedup_keys", ["key", "posting_id"])
    op.drop_index("ix_dedup_keys_key", table_name="dedup_keys")


def downgrade() -> None:
    op.create_index("ix_dedup_keys_key", "dedup_keys", ["key"])
    op.drop_index("ix_dedup_keys_key_posting_id", table_name="dedup_keys")
