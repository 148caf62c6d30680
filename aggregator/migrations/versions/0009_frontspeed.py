"""indexes that let a page of search results be found without reading every match

Revision ID: 0009_frontspeed
Revises: 0008_frontdoor

aggregator.query finds a page of jobs by walking the open jobs newest first and keeping each one
that has an open posting matching the search, stopping at the page (or at the count cap):

* ``ix_jobs_status_first_seen_at`` (both backends, in the models) is that walk's order.
* ``ix_postings_search_filters`` (SQLite only, raw SQL, ignored by autogenerate like the full-text
  objects): the filter and salary columns of postings behind their job id, so that asking whether a
  job has a matching open posting reads this index alone. A SQLite row keeps its columns in order
  and the descriptions come first: without it every such question read the posting's overflow pages.
* ``ix_postings_search_by_id`` (SQLite only, likewise): the same columns behind the posting id, for
  a text query that walks FTS5's matches (rowids) and asks the same of each.

PostgreSQL keeps long descriptions out of line (TOAST), its rows stay small, and a wide B-tree there
would refuse a company name longer than a B-tree entry may be; ix_postings_job_id serves it.

The indexes are built from the rows already there, so nothing else needs filling in.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_frontspeed"
down_revision: str | None = "0008_frontdoor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the columns aggregator.query's filters read from a posting, as of this revision.
SEARCH_FILTER_COLUMNS = (
    "closed_at", "workplace", "worldwide", "tz_min", "tz_max", "seniority", "employment_type",
    "salary_currency", "salary_annual_min", "salary_annual_max", "company", "countries", "regions",
)  # fmt: skip
SQLITE_INDEXES = {
    "ix_postings_search_filters": ("job_id", *SEARCH_FILTER_COLUMNS),
    "ix_postings_search_by_id": ("id", "job_id", *SEARCH_FILTER_COLUMNS),
}


def upgrade() -> None:
    op.create_index("ix_jobs_status_first_seen_at", "jobs", ["status", "first_seen_at", "id"], unique=False)
    if op.get_context().dialect.name == "sqlite":
        for name, columns in SQLITE_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON postings ({', '.join(columns)})")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for name in SQLITE_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_jobs_status_first_seen_at", table_name="jobs")
