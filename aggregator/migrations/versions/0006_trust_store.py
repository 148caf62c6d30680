"""postings.date_posted and valid_through as real timestamps instead of ISO 8601 strings

Revision ID: 0006_trust_store
Revises: 0005

Strings compared as strings let an invalid date (``2025-13-45``) close a posting as expired and a
date-only ``validThrough`` expire a day early. The columns become UTC timestamps: a date-only
``date_posted`` is its day's first moment, a date-only ``valid_through`` its last; a value that is
not a real date between 1990 and 2100 becomes NULL (the string as found stays in ``postings.raw``).

The ``open_jobs`` view shows both columns, so it is dropped and created again around the change.
SQLite changes the columns in place (ADD/DROP/RENAME COLUMN, SQLite ≥ 3.35) instead of batch mode,
which would copy the table and lose the full-text triggers of 0005.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from alembic import op

revision: str = "0006_trust_store"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("date_posted", "valid_through")
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100

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


def _moment(text: str | None, end_of_day: bool, sqlite: bool) -> datetime | None:
    """What 0001–0005 stored (``2024-05-01`` or ``2024-05-01T10:00:00Z``) as a UTC moment."""
    if not text:
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(23, 59, 59) if end_of_day else time(0))
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    return moment.replace(tzinfo=None) if sqlite else moment


def _text(moment: datetime | str | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite hands back the stored text
        moment = datetime.fromisoformat(moment)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _swap(new_type, convert) -> None:
    """Replace both columns by columns of ``new_type`` holding ``convert(name, old value)``."""
    bind = op.get_bind()
    op.execute("DROP VIEW IF EXISTS open_jobs")
    op.drop_index("ix_postings_date_posted", table_name="postings")
    for name in COLUMNS:
        op.add_column("postings", sa.Column(f"{name}_new", new_type, nullable=True))
    old = sa.table("postings", sa.column("id", sa.Integer), *(sa.column(name) for name in COLUMNS))
    new = sa.table("postings", sa.column("id", sa.Integer), *(sa.column(f"{n}_new", new_type) for n in COLUMNS))
    rows = [
        {"pid": row.id, **{f"{n}_new": convert(n, getattr(row, n)) for n in COLUMNS}}
        for row in bind.execute(sa.select(old.c.id, *(old.c[n] for n in COLUMNS)))
        if any(getattr(row, n) is not None for n in COLUMNS)
    ]
    if rows:
        bind.execute(
            new.update()
            .where(new.c.id == sa.bindparam("pid"))
            .values({f"{n}_new": sa.bindparam(f"{n}_new") for n in COLUMNS}),
            rows,
        )
    for name in COLUMNS:
        op.execute(f"ALTER TABLE postings DROP COLUMN {name}")
        op.execute(f"ALTER TABLE postings RENAME COLUMN {name}_new TO {name}")
    op.create_index("ix_postings_date_posted", "postings", ["date_posted"], unique=False)
    op.execute(OPEN_JOBS_VIEW)


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    _swap(sa.DateTime(timezone=True), lambda name, value: _moment(value, name == "valid_through", sqlite))


def downgrade() -> None:
    _swap(sa.String(length=32), lambda name, value: _text(value))
