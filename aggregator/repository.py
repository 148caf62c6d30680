"""The only module that writes SQL: posting upserts, crawl-run records and rejects."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aggregator.items import NormalisedPosting
from aggregator.models import CrawlRun, Posting, Reject

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def _dialect_insert(engine: Engine):
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def upsert_postings(
    engine: Engine, postings: Sequence[NormalisedPosting], run_id: int | None, seen_at: datetime | None = None
) -> UpsertCounts:
    """Insert new postings, rewrite changed ones, and only touch ``last_seen_at`` of the rest.

    One transaction per call: callers hand over a batch, never a single item.
    """
    counts = UpsertCounts()
    if not postings:
        return counts
    seen_at = seen_at or utcnow()
    rows = {p.key: p.columns() for p in postings}  # the last copy of a key in a batch wins
    with engine.begin() as connection:
        known = {
            (source, source_key): (posting_id, content_hash)
            for posting_id, source, source_key, content_hash in connection.execute(
                select(Posting.id, Posting.source, Posting.source_key, Posting.content_hash).where(
                    tuple_(Posting.source, Posting.source_key).in_(list(rows))
                )
            )
        }
        writes, unchanged_ids = [], []
        for key, values in rows.items():
            values |= {"last_seen_at": seen_at, "crawl_run_id": run_id}
            if key not in known:
                counts.new += 1
                writes.append(values | {"first_seen_at": seen_at})
            elif known[key][1] != values["content_hash"]:
                counts.updated += 1
                writes.append(values | {"first_seen_at": seen_at})
            else:
                counts.unchanged += 1
                unchanged_ids.append(known[key][0])
        if writes:
            statement = _dialect_insert(engine)(Posting)
            refreshed = {
                column: statement.excluded[column]
                for column in writes[0]
                if column not in ("source", "source_key", "first_seen_at")
            }
            connection.execute(
                statement.on_conflict_do_update(index_elements=["source", "source_key"], set_=refreshed),
                writes,
            )
        if unchanged_ids:
            connection.execute(
                update(Posting).where(Posting.id.in_(unchanged_ids)).values(last_seen_at=seen_at, crawl_run_id=run_id)
            )
    return counts


def start_run(engine: Engine, spider: str, started_at: datetime | None = None) -> int:
    with engine.begin() as connection:
        return connection.execute(
            insert(CrawlRun)
            .values(spider=spider, started_at=started_at or utcnow(), status="running")
            .returning(CrawlRun.id)
        ).scalar_one()


def finish_run(engine: Engine, run_id: int, **values: Any) -> None:
    values.setdefault("finished_at", utcnow())
    with engine.begin() as connection:
        connection.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))


def add_reject(
    engine: Engine,
    *,
    run_id: int | None,
    spider: str,
    url: str | None,
    stage: str,
    reason: str,
    payload: dict[str, Any] | None = None,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(Reject).values(
                crawl_run_id=run_id,
                spider=spider,
                url=url,
                stage=stage,
                reason=reason,
                payload=payload,
                created_at=utcnow(),
            )
        )


def recent_postings_seen(engine: Engine, spider: str, limit: int) -> list[int]:
    """Postings scraped by the board's most recent successful runs, newest first."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(CrawlRun.items_scraped)
                .where(CrawlRun.spider == spider, CrawlRun.status == "ok")
                .order_by(CrawlRun.id.desc())
                .limit(limit)
            )
        )


def recent_runs(engine: Engine, limit: int = 20, spider: str | None = None) -> list[CrawlRun]:
    statement = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    if spider:
        statement = statement.where(CrawlRun.spider == spider)
    with Session(engine) as session:
        return list(session.scalars(statement))


def get_run(engine: Engine, run_id: int) -> CrawlRun | None:
    with Session(engine) as session:
        return session.get(CrawlRun, run_id)
