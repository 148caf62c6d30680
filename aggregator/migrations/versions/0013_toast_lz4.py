"""PostgreSQL compresses the postings' long values with lz4 where the server has it

Revision ID: 0013_toast_lz4
Revises: 0012_clusterfaults

A posting's description (HTML and text), raw item and dedup fingerprint are each kilobytes, and
PostgreSQL compresses such values as it stores them, with pglz unless told otherwise: a tenth of
the server's CPU in a crawl (perf). lz4 (PostgreSQL 14+, when built with it) does the same work
several times faster and decompresses faster for pages and searches. Values already stored keep
their compression; both read back the same. SQLite stores them uncompressed: nothing to do.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_toast_lz4"
down_revision: str | None = "0012_clusterfaults"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LONG_COLUMNS = ("description_html", "description_text", "raw", "fingerprint")


def _server_has_lz4() -> bool:
    return bool(
        op.get_bind()
        .exec_driver_sql("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        .scalar()
    )


def _set_compression(method: str) -> None:
    if op.get_bind().dialect.name != "postgresql" or not _server_has_lz4():
        return
    for column in LONG_COLUMNS:
        op.execute(f"ALTER TABLE postings ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("DEFAULT")
