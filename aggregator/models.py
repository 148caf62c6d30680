"""SQLAlchemy 2 declarative models: the public schema people write SQL against.

Only Alembic migrations create or change these tables; the models describe them so that
``alembic check`` can prove the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON arrays/objects; JSONB on PostgreSQL so they can be indexed and queried with @>.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Timestamps are stored as UTC and always come back timezone-aware.

    SQLite has no time zone type, so naive UTC is stored there and re-labelled on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    # running | ok | failed | interrupted (stopped on purpose, or its process was killed)
    status: Mapped[str] = mapped_column(String(16), default="running")
    status_reason: Mapped[str | None] = mapped_column(Text)
    items_scraped: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    items_rejected: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # A crawl split over several processes (aggregator.cluster): each part is a run of its own with
    # its part ("I/N") and the whole-crawl run it belongs to; a whole crawl has no shard.
    shard: Mapped[str | None] = mapped_column(String(16))
    parent_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    # Until when the coordinator of a split crawl is known to be alive (it pushes this forward while
    # it runs; the database's clock): a whole-crawl run still open past it lost its coordinator.
    heartbeat_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Posting(Base):
    __tablename__ = "postings"
    __table_args__ = (
        # What identifies a posting within its board. Usually the board's id, but remotewlb's
        # trailing numbers collide between different postings, so its key is the slug.
        UniqueConstraint("source", "source_key"),
        Index("ix_postings_source_source_id", "source", "source_id"),
        Index("ix_postings_date_posted", "date_posted"),
        Index("ix_postings_company", "company"),
        Index("ix_postings_last_seen_at", "last_seen_at"),
        # A page seen unchanged, or found gone, is looked up by the URL it was listed or found under.
        # Hash indexes on PostgreSQL: a btree refuses keys over ~2.7 kB, and a URL may be longer.
        Index("ix_postings_listed_url", "listed_url", postgresql_using="hash"),
        Index("ix_postings_url", "url", postgresql_using="hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(255))
    source_key: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    apply_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(Text)
    location_raw: Mapped[str | None] = mapped_column(Text)
    salary_raw: Mapped[str | None] = mapped_column(Text)
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[str | None] = mapped_column(String(8))
    # The range as yearly pay in the posted currency, so hourly and yearly offers compare in SQL.
    salary_annual_min: Mapped[float | None] = mapped_column(Float)
    salary_annual_max: Mapped[float | None] = mapped_column(Float)
    workplace: Mapped[str] = mapped_column(String(8), default="unknown")
    worldwide: Mapped[bool] = mapped_column(Boolean, default=False)
    countries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    regions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The UTC offsets (hours east) the posting asks you to work in; NULL when it says nothing,
    # -12..14 for any time zone, tz_min > tz_max across the date line. tz_raw: the evidence phrase.
    tz_min: Mapped[float | None] = mapped_column(Float)
    tz_max: Mapped[float | None] = mapped_column(Float)
    tz_raw: Mapped[str | None] = mapped_column(Text)
    employment_type: Mapped[str | None] = mapped_column(String(16))
    seniority: Mapped[str | None] = mapped_column(String(16))
    description_html: Mapped[str | None] = mapped_column(Text)
    description_text: Mapped[str | None] = mapped_column(Text)
    # Real UTC timestamps (a date-only datePosted is its day's start, a validThrough its end); the
    # strings as found are in ``raw``. Unreadable or out-of-range dates are NULL.
    date_posted: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_through: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(64))
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    # The item exactly as the spider found it: every normalised field keeps its raw twin here.
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    # Deduplication: the job this posting advertises, and why it joined it.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    dedup_reason: Mapped[str | None] = mapped_column(String(32))
    dedup_score: Mapped[float | None] = mapped_column(Float)
    # What the matcher needs to compare a later posting with this one (aggregator.dedup): the
    # record it shortlists candidates on, and apart, the word arrays only a comparison reads.
    fingerprint: Mapped[str | None] = mapped_column(Text)
    fingerprint_words: Mapped[str | None] = mapped_column(Text)

    # Lifecycle: closed when missing from consecutive healthy runs, gone (404/410) or expired.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(16))
    missed_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Incremental recrawls: where the board lists the page (before redirects) and what it said
    # about the page when we last fetched it.
    listed_url: Mapped[str | None] = mapped_column(Text)
    sitemap_lastmod: Mapped[str | None] = mapped_column(String(40))
    etag: Mapped[str | None] = mapped_column(String(255))
    last_modified: Mapped[str | None] = mapped_column(String(64))


class Job(Base):
    """One real opening, whatever number of postings advertise it (see DEDUP-SPEC)."""

    __tablename__ = "jobs"
    # Search walks the open jobs newest first (aggregator.query, migration 0009).
    __table_args__ = (Index("ix_jobs_status_first_seen_at", "status", "first_seen_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(Text, index=True)
    # The posting whose fields represent the job (the newest open one).
    best_posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", use_alter=True))
    countries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    regions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    workplace: Mapped[str] = mapped_column(String(8), default="unknown")
    worldwide: Mapped[bool] = mapped_column(Boolean, default=False)
    # The time-zone window of its best posting that states one (postings.tz_min/tz_max).
    tz_min: Mapped[float | None] = mapped_column(Float)
    tz_max: Mapped[float | None] = mapped_column(Float)
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[str | None] = mapped_column(String(8))
    salary_annual_min: Mapped[float | None] = mapped_column(Float)
    salary_annual_max: Mapped[float | None] = mapped_column(Float)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # open while any of its postings is open
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    postings_count: Mapped[int] = mapped_column(Integer, default=0)
    # postings beyond the first: the same opening listed again
    reposts_count: Mapped[int] = mapped_column(Integer, default=0)


class DedupKey(Base):
    """The candidate index of the matcher: exact keys (URL, apply URL, board id) and LSH bands."""

    __tablename__ = "dedup_keys"
    # By key, the posting ids in the index itself: a batch's candidate read touches only the index.
    __table_args__ = (Index("ix_dedup_keys_key_posting_id", "key", "posting_id"),)

    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(96), primary_key=True)


class Reject(Base):
    __tablename__ = "rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    spider: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text)
    # fetch (the page could not be had) | extract (the page broke the extractor) | validate
    stage: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertDelivery(Base):
    """One attempt to send a saved search's new jobs ([alerts.NAME] of the configuration)."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    destination: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))  # sent | failed
    jobs_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class AlertJob(Base):
    """A job a saved search has sent: it is never sent by that search again."""

    __tablename__ = "alert_jobs"

    alert: Mapped[str] = mapped_column(String(64), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("alert_deliveries.id"), index=True)


SCHEDULER_JOBS_TABLE = "apscheduler_jobs"


class SchedulerJob(Base):
    """APScheduler's persistent job store, declared here so that a migration creates it.

    The columns are APScheduler 3.x's SQLAlchemyJobStore table, unchanged.
    """

    __tablename__ = SCHEDULER_JOBS_TABLE

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
