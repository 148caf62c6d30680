"""jobs above postings, lifecycle and incremental recrawl columns

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# One row per open job with its best posting's fields, ready for SQL.
OPEN_JOBS_VIEW = """
CREATE VIEW open_jobs AS
SELECT j.id AS job_id, j.title, j.company, j.countries, j.regions, j.workplace, j.worldwide,
       j.salary_min, j.salary_max, j.salary_currency, j.salary_period,
       j.salary_annual_min, j.salary_annual_max,
       j.first_seen_at, j.last_seen_at, j.postings_count, j.reposts_count,
       p.id AS posting_id, p.source, p.url, p.apply_url, p.location_raw, p.salary_raw,
       p.employment_type, p.seniority, p.date_posted, p.valid_through, p.description_text
FROM jobs AS j
LEFT JOIN postings AS p ON p.id = j.best_posting_id
WHERE j.status = 'open'
"""


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("best_posting_id", sa.Integer(), nullable=True),
        sa.Column("countries", JSON_TYPE, nullable=False),
        sa.Column("regions", JSON_TYPE, nullable=False),
        sa.Column("workplace", sa.String(length=8), nullable=False),
        sa.Column("worldwide", sa.Boolean(), nullable=False),
        sa.Column("salary_min", sa.Float(), nullable=True),
        sa.Column("salary_max", sa.Float(), nullable=True),
        sa.Column("salary_currency", sa.String(length=3), nullable=True),
        sa.Column("salary_period", sa.String(length=8), nullable=True),
        sa.Column("salary_annual_min", sa.Float(), nullable=True),
        sa.Column("salary_annual_max", sa.Float(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("postings_count", sa.Integer(), nullable=False),
        sa.Column("reposts_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["best_posting_id"], ["postings.id"], name=op.f("fk_jobs_best_posting_id_postings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_company"), ["company"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)

    op.create_table(
        "dedup_keys",
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["postings.id"], name=op.f("fk_dedup_keys_posting_id_postings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("posting_id", "key", name=op.f("pk_dedup_keys")),
    )
    with op.batch_alter_table("dedup_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dedup_keys_key"), ["key"], unique=False)

    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dedup_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("dedup_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("fingerprint", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("close_reason", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("missed_runs", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("listed_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sitemap_lastmod", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("etag", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("last_modified", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_postings_job_id"), ["job_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_postings_job_id_jobs"), "jobs", ["job_id"], ["id"])

    op.execute(OPEN_JOBS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW open_jobs")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_postings_job_id_jobs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_postings_job_id"))
        batch_op.drop_column("last_modified")
        batch_op.drop_column("etag")
        batch_op.drop_column("sitemap_lastmod")
        batch_op.drop_column("listed_url")
        batch_op.drop_column("missed_runs")
        batch_op.drop_column("close_reason")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("fingerprint")
        batch_op.drop_column("dedup_score")
        batch_op.drop_column("dedup_reason")
        batch_op.drop_column("job_id")

    with op.batch_alter_table("dedup_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dedup_keys_key"))

    op.drop_table("dedup_keys")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_jobs_company"))

    op.drop_table("jobs")
