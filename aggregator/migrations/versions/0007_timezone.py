"""time-zone windows: postings.tz_min/tz_max/tz_raw, jobs.tz_min/tz_max, open_jobs shows them

Revision ID: 0007_timezone
Revises: 0006_trust_store

Plain ADD COLUMN on both backends (no SQLite table rebuild, so 0005's FTS triggers stay).
The view is recreated with the job's window.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_timezone"
down_revision: str | None = "0006_trust_store"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_JOBS = """
CREATE VIEW open_jobs AS
SELECT j.id AS job_id, j.title, j.company, j.countries, j.regions, j.workplace, j.worldwide,
       j.salary_min, j.salary_max, j.salary_currency, j.salary_period,
       j.salary_annual_min, j.salary_annual_max,
       j.first_seen_at, j.last_seen_at, j.postings_count, j.reposts_count,
       p.id AS posting_id, p.source, p.url, p.apply_url, p.location_raw, p.salary_raw,
       p.employment_type, p.seniority, p.date_posted, p.valid_through, p.description_text{extra}
FROM jobs AS j
LEFT JOIN postings AS p ON p.id = j.best_posting_id
WHERE j.status = 'open'
"""


def upgrade() -> None:
    op.add_column("postings", sa.Column("tz_min", sa.Float(), nullable=True))
    op.add_column("postings", sa.Column("tz_max", sa.Float(), nullable=True))
    op.add_column("postings", sa.Column("tz_raw", sa.Text(), nullable=True))
    op.add_column("jobs", sa.Column("tz_min", sa.Float(), nullable=True))
    op.add_column("jobs", sa.Column("tz_max", sa.Float(), nullable=True))
    op.execute("DROP VIEW open_jobs")
    op.execute(OPEN_JOBS.format(extra=",\n       j.tz_min, j.tz_max, p.tz_raw"))


def downgrade() -> None:
    op.execute("DROP VIEW open_jobs")
    # DROP COLUMN without a table rebuild (SQLite >= 3.35), so 0005's FTS triggers survive.
    op.drop_column("jobs", "tz_max")
    op.drop_column("jobs", "tz_min")
    op.drop_column("postings", "tz_raw")
    op.drop_column("postings", "tz_max")
    op.drop_column("postings", "tz_min")
    op.execute(OPEN_JOBS.format(extra=""))
