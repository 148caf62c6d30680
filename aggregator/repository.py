"""The only module that writes SQL: posting upserts, crawl-run records and rejects."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Integer, Select, String, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aggregator.db import run_in_transaction
from aggregator.items import NormalisedPosting
from aggregator.models import AlertDelivery, AlertJob, CrawlRun, DedupKey, Job, Posting, Reject
from aggregator.storable import clean_json

# Fields of a posting that describe how it was fetched: refreshed even when its content is unchanged.
FETCH_FIELDS = ("listed_url", "sitemap_lastmod", "etag", "last_modified")

logger = logging.getLogger(__name__)

# Ids per IN list: well under SQLite's bound-parameter limit.
_ID_CHUNK = 1000


def utcnow() -> datetime:
    return datetime.now(UTC)


def database_error(error: BaseException) -> str:
    """The database's own words, one line: what a person reads in ``rejects`` and ``crawl_runs``."""
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # ids of the postings inserted or rewritten (they need matching to a job)
    written_ids: list[int] = field(default_factory=list)

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def _dialect_insert(bind):
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert


def _keys_in(keys: Iterable[tuple[str, str]]):
    """``(source, source_key) IN keys`` written per source, so that PostgreSQL uses the unique index."""
    by_source: dict[str, list[str]] = {}
    for source, source_key in keys:
        by_source.setdefault(source, []).append(source_key)
    return or_(*(and_(Posting.source == source, Posting.source_key.in_(ks)) for source, ks in by_source.items()))


def upsert_postings(
    engine: Engine, postings: Sequence[NormalisedPosting], run_id: int | None, seen_at: datetime | None = None
) -> UpsertCounts:
    """Insert new postings, rewrite changed ones, and only touch ``last_seen_at`` of the rest.

    One transaction per call: callers hand over a batch, never a single item.
    """
    return run_in_transaction(engine, lambda connection: upsert_postings_in(connection, postings, run_id, seen_at))


def upsert_postings_in(
    connection, postings: Sequence[NormalisedPosting], run_id: int | None, seen_at: datetime | None = None
) -> UpsertCounts:
    """:func:`upsert_postings` inside the caller's transaction (so that job assignment can share it)."""
    if not postings:
        return UpsertCounts()
    seen_at = seen_at or utcnow()
    rows = {p.key: p.columns() for p in postings}  # the last copy of a key in a batch wins
    counts = UpsertCounts()
    known = {
        (source, source_key): (posting_id, content_hash)
        for posting_id, source, source_key, content_hash in connection.execute(
            select(Posting.id, Posting.source, Posting.source_key, Posting.content_hash).where(_keys_in(rows))
        )
    }
    writes, unchanged = [], []
    for key, values in rows.items():
        values |= {"last_seen_at": seen_at, "crawl_run_id": run_id, "missed_runs": 0}
        if key not in known:
            counts.new += 1
            writes.append(values | {"first_seen_at": seen_at})
        elif known[key][1] != values["content_hash"]:
            counts.updated += 1
            writes.append(values | {"first_seen_at": seen_at})
        else:
            counts.unchanged += 1
            unchanged.append({"pid": known[key][0], **{name: values[name] for name in FETCH_FIELDS}})
    if writes:
        statement = _dialect_insert(connection)(Posting)
        refreshed = {
            column: statement.excluded[column]
            for column in writes[0]
            if column not in ("source", "source_key", "first_seen_at")
        }
        connection.execute(
            statement.on_conflict_do_update(index_elements=["source", "source_key"], set_=refreshed),
            writes,
        )
    if unchanged:
        connection.execute(
            update(Posting)
            .where(Posting.id == bindparam("pid"))
            .values(
                last_seen_at=seen_at,
                crawl_run_id=run_id,
                missed_runs=0,
                **{name: bindparam(name) for name in FETCH_FIELDS},
            ),
            unchanged,
        )
    written = [(values["source"], values["source_key"]) for values in writes]
    if written:
        counts.written_ids = list(connection.scalars(select(Posting.id).where(_keys_in(written))))
    return counts


def start_run(
    engine: Engine,
    spider: str,
    started_at: datetime | None = None,
    stats: dict | None = None,
    *,
    shard: str | None = None,
    parent_run_id: int | None = None,
) -> int:
    """A new run marked running; ``shard`` ("I/N") and ``parent_run_id`` for a part of a split crawl."""

    def work(connection):
        return connection.execute(
            insert(CrawlRun)
            .values(
                spider=spider,
                started_at=started_at or utcnow(),
                status="running",
                stats=stats,
                shard=shard,
                parent_run_id=parent_run_id,
            )
            .returning(CrawlRun.id)
        ).scalar_one()

    return run_in_transaction(engine, work)


def claim_run(engine: Engine, run_id: int, spider: str, stats: dict) -> CrawlRun | None:
    """The crawl process takes over a run its launcher created (recording who runs it in ``stats``).

    None when there is no such run of this board still open: the launcher gave it up already (it
    judged the crawl dead), so the process must not write into it.
    """

    def work(connection) -> bool:
        open_run = (CrawlRun.id == run_id, CrawlRun.spider == spider, CrawlRun.finished_at.is_(None))
        found = connection.execute(select(CrawlRun.stats).where(*open_run).with_for_update()).first()
        if found is None:
            return False
        # What the launcher recorded (a scrapyd node and job) stays beside the process's identity.
        merged = {**(found.stats if isinstance(found.stats, dict) else {}), **stats}
        connection.execute(update(CrawlRun).where(*open_run).values(stats=merged))
        return True

    return get_run(engine, run_id) if run_in_transaction(engine, work) else None


def add_run_stats(engine: Engine, run_id: int, stats: dict) -> None:
    """Add entries to a run's stats (a launcher noting where it started the run's crawl)."""

    def work(connection) -> None:
        found = connection.execute(select(CrawlRun.stats).where(CrawlRun.id == run_id).with_for_update()).first()
        merged = {**(found.stats if found is not None and isinstance(found.stats, dict) else {}), **stats}
        connection.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(stats=merged))

    run_in_transaction(engine, work)


def give_up_run(engine: Engine, run_id: int, *, reason: str) -> bool:
    """A run whose crawl died without recording its end is ``failed`` — unless it recorded its end
    meanwhile (False then: the run keeps its own verdict)."""

    def work(connection) -> bool:
        return bool(
            connection.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id, CrawlRun.finished_at.is_(None))
                .values(finished_at=utcnow(), finish_reason="killed", status="failed", status_reason=clean_json(reason))
            ).rowcount
        )

    return run_in_transaction(engine, work)


def database_now(connection) -> datetime:
    """The database server's clock: the hosts of a cluster need not agree on the time (SQLite is one
    machine's file: that machine's clock)."""
    if connection.dialect.name == "postgresql":
        return connection.scalar(select(func.now()))
    return utcnow()


def beat_run(engine: Engine, run_id: int, *, alive_for_seconds: float) -> bool:
    """The process that runs an open run is alive: the run counts as alive ``alive_for_seconds``
    more. False when the run is no longer open (another process judged it lost meanwhile)."""

    def work(connection) -> bool:
        expires = database_now(connection) + timedelta(seconds=alive_for_seconds)
        return bool(
            connection.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id, CrawlRun.finished_at.is_(None))
                .values(heartbeat_expires_at=expires)
            ).rowcount
        )

    return run_in_transaction(engine, work)


def fail_lost_runs(engine: Engine) -> list[int]:
    """Runs still open past their heartbeat (a split crawl's coordinator that died, on any host) are
    ``failed``; their ids. Nothing else is done for them: their parts record themselves, and the
    close/reopen rules are not applied for a crawl that was never judged."""

    def work(connection) -> list[int]:
        now = database_now(connection)
        lost = list(
            connection.execute(
                select(CrawlRun.id, CrawlRun.stats, CrawlRun.heartbeat_expires_at)
                .where(CrawlRun.finished_at.is_(None), CrawlRun.heartbeat_expires_at < now)
                .with_for_update()
            )
        )
        for run_id, stats, expired in lost:
            stats = stats if isinstance(stats, dict) else {}
            process = f"pid {stats.get('aggregator/pid')} on {stats.get('aggregator/host')}"
            reason = (
                f"its coordinator ({process}) stopped beating (alive until {expired:%Y-%m-%d %H:%M:%S} UTC):"
                " killed, or cut off from the database; its parts record themselves, nothing was closed"
            )
            connection.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id, CrawlRun.finished_at.is_(None))
                .values(finished_at=now, finish_reason="coordinator_lost", status="failed", status_reason=reason)
            )
        return [run_id for run_id, *_ in lost]

    return run_in_transaction(engine, work)


def finish_open_run(engine: Engine, run_id: int, **values: Any) -> bool:
    """``finish_run``, only while the run is still open: False when it was judged meanwhile (a run
    failed as lost keeps that verdict; whoever judged it decided nothing more is done for it)."""
    values.setdefault("finished_at", utcnow())
    values = {name: clean_json(value) if isinstance(value, (str, dict)) else value for name, value in values.items()}

    def work(connection) -> bool:
        return bool(
            connection.execute(
                update(CrawlRun).where(CrawlRun.id == run_id, CrawlRun.finished_at.is_(None)).values(**values)
            ).rowcount
        )

    return run_in_transaction(engine, work)


def part_runs(engine: Engine, parent_run_id: int) -> list[CrawlRun]:
    """Every run (each attempt at each part) of a split crawl, oldest first."""
    with Session(engine) as session:
        return list(
            session.scalars(select(CrawlRun).where(CrawlRun.parent_run_id == parent_run_id).order_by(CrawlRun.id))
        )


def abandon_dead_runs(engine: Engine, spider: str | None, host: str, is_alive) -> int:
    """Runs on this host still marked running whose process is gone (killed with SIGKILL, the
    machine lost power) are recorded as interrupted instead of running forever. ``is_alive`` gets a
    run's stats (host, PID and process start time: aggregator.liveness); ``spider`` None: every board."""
    statement = select(CrawlRun.id, CrawlRun.stats).where(CrawlRun.finished_at.is_(None))
    if spider is not None:
        statement = statement.where(CrawlRun.spider == spider)
    with engine.connect() as connection:
        running = list(connection.execute(statement))
    dead = [
        (run_id, stats.get("aggregator/pid"))
        for run_id, stats in running
        if isinstance(stats, dict) and stats.get("aggregator/host") == host and not is_alive(stats)
    ]
    for run_id, pid in dead:
        finish_run(
            engine,
            run_id,
            finish_reason="killed",
            status="interrupted",
            status_reason=f"the crawl process (pid {pid} on {host}) ended without recording its end (killed?)",
        )
    return len(dead)


def finish_run(engine: Engine, run_id: int, **values: Any) -> None:
    values.setdefault("finished_at", utcnow())
    values = {name: clean_json(value) if isinstance(value, (str, dict)) else value for name, value in values.items()}

    def work(connection):
        connection.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))

    run_in_transaction(engine, work)


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
    add_rejects(engine, run_id=run_id, spider=spider, rejects=[(url, stage, reason, payload)])


def add_rejects(
    engine: Engine, *, run_id: int | None, spider: str, rejects: Sequence[tuple[str | None, str, str, Any]]
) -> None:
    """Rows of ``rejects`` from ``(url, stage, reason, payload)``, cleaned of what the database refuses
    (a reject is often an item that held such a value)."""
    if not rejects:
        return
    now = utcnow()
    rows = [
        {
            "crawl_run_id": run_id,
            "spider": spider,
            "url": clean_json(url),
            "stage": stage,
            "reason": clean_json(reason),
            "payload": clean_json(payload),
            "created_at": now,
        }
        for url, stage, reason, payload in rejects
    ]
    run_in_transaction(engine, lambda connection: connection.execute(insert(Reject), rows))


def recent_postings_seen(engine: Engine, spider: str, limit: int) -> list[int]:
    """Postings scraped by the board's most recent successful whole crawls, newest first (a part of a
    split crawl is no measure of the board: the whole-crawl run above it is)."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(CrawlRun.items_scraped)
                .where(CrawlRun.spider == spider, CrawlRun.status == "ok", CrawlRun.shard.is_(None))
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


# --- incremental recrawls -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingState:
    """What we know of a listed page: its sitemap lastmod and HTTP validators when last fetched."""

    sitemap_lastmod: str | None
    etag: str | None = None
    last_modified: str | None = None
    gone: bool = False
    # The stored posting, so that one skipped as unchanged can be read back (feed exports).
    posting_id: int | None = None


def listing_state(engine: Engine, source: str) -> dict[str, ListingState]:
    """Known pages of a board by the URL it lists them under, including pages found gone (404/410)."""
    states: dict[str, ListingState] = {}
    with engine.connect() as connection:
        for url, payload in connection.execute(
            select(Reject.url, Reject.payload)
            .where(Reject.spider == source, Reject.stage == "fetch", Reject.reason.in_(GONE_REASONS))
            .order_by(Reject.id)
        ):
            lastmod = (payload or {}).get("sitemap_lastmod") if isinstance(payload, dict) else None
            if url and lastmod:
                states[url] = ListingState(lastmod, gone=True)
        for url, lastmod, etag, modified, close_reason, posting_id in connection.execute(
            select(
                Posting.listed_url,
                Posting.sitemap_lastmod,
                Posting.etag,
                Posting.last_modified,
                Posting.close_reason,
                Posting.id,
            ).where(Posting.source == source, Posting.listed_url.is_not(None))
        ):
            states[url] = ListingState(lastmod, etag, modified, gone=close_reason == "gone", posting_id=posting_id)
    return states


def posting_columns(engine: Engine, posting_id: int) -> dict[str, Any] | None:
    """One stored posting's columns by id (a posting skipped as unchanged, for feed exports)."""
    with engine.connect() as connection:
        row = connection.execute(select(Posting.__table__).where(Posting.id == posting_id)).first()
    return dict(row._mapping) if row is not None else None


def _ids_by_url(connection, column, source: str, urls: Sequence[str], *conditions) -> list[int]:
    """Postings of ``source`` whose ``column`` is one of ``urls``, found through that column's index
    alone: with the board in the same WHERE, SQLite's planner prefers the (source, source_key) index
    and reads every posting of the board."""
    ids = []
    for start in range(0, len(urls), _ID_CHUNK):
        statement = select(Posting.id, Posting.source).where(column.in_(urls[start : start + _ID_CHUNK]), *conditions)
        ids.extend(
            posting_id for posting_id, posting_source in connection.execute(statement) if posting_source == source
        )
    return ids


def touch_listed(engine: Engine, source: str, listed_urls: Sequence[str], run_id: int | None) -> int:
    """Postings seen unchanged without a download: only ``last_seen_at`` (and the run) move."""
    if not listed_urls:
        return 0

    def work(connection):
        ids = _ids_by_url(connection, Posting.listed_url, source, list(listed_urls))
        for start in range(0, len(ids), _ID_CHUNK):
            connection.execute(
                update(Posting)
                .where(Posting.id.in_(ids[start : start + _ID_CHUNK]))
                .values(last_seen_at=utcnow(), crawl_run_id=run_id, missed_runs=0)
            )
        return len(ids)

    return run_in_transaction(engine, work)


# --- lifecycle ------------------------------------------------------------------------------------

GONE_REASONS = ("HTTP 404", "HTTP 410")


def close_gone(engine: Engine, source: str, url: str) -> int:
    """A posting whose page answers 404/410 is closed at once: the posting and its job only, found
    through the url indexes, so that a 404 costs the same at 1k or 1M stored postings."""

    def work(connection):
        still_open = Posting.closed_at.is_(None)
        ids = set(_ids_by_url(connection, Posting.listed_url, source, [url], still_open))
        ids.update(_ids_by_url(connection, Posting.url, source, [url], still_open))
        if not ids:
            return 0
        closed = connection.execute(
            update(Posting)
            .where(Posting.id.in_(ids))
            .values(closed_at=utcnow(), close_reason="gone")
            .returning(Posting.job_id)
        ).all()
        _refresh_job_status(connection, {job_id for (job_id,) in closed if job_id is not None})
        return len(closed)

    return run_in_transaction(engine, work)


def apply_lifecycle(engine: Engine, source: str, run_id: int, *, healthy: bool, close_after_missed: int) -> dict:
    """After a whole crawl: reopen what it saw, close what expired, and — only after a healthy,
    complete run — count a miss for every open posting it did not see, closing those missed often
    enough. What a split crawl saw is what any of its parts saw (their runs point at ``run_id``)."""
    now = utcnow()
    counts = {"reopened": 0, "expired": 0, "missing": 0}
    seen_by_run = Posting.crawl_run_id.in_(
        select(CrawlRun.id).where(or_(CrawlRun.id == run_id, CrawlRun.parent_run_id == run_id))
    )

    def work(connection):
        changed: set[int | None] = set()

        def closing(statement) -> int:
            """Run an UPDATE of postings' open/closed state; the jobs it touched need their status."""
            job_ids = [job_id for (job_id,) in connection.execute(statement.returning(Posting.job_id))]
            changed.update(job_ids)
            return len(job_ids)

        counts["reopened"] = closing(
            update(Posting)
            .where(
                Posting.source == source,
                seen_by_run,
                Posting.closed_at.is_not(None),
                Posting.close_reason.in_(("missing", "gone")),
            )
            .values(closed_at=None, close_reason=None, missed_runs=0)
        )
        counts["expired"] = closing(
            update(Posting)
            .where(
                Posting.source == source,
                Posting.closed_at.is_(None),
                Posting.valid_through.is_not(None),
                Posting.valid_through < now,
            )
            .values(closed_at=now, close_reason="expired")
        )
        if healthy:
            unseen = and_(
                Posting.source == source,
                Posting.closed_at.is_(None),
                or_(Posting.crawl_run_id.is_(None), ~seen_by_run),
            )
            connection.execute(update(Posting).where(unseen).values(missed_runs=Posting.missed_runs + 1))
            counts["missing"] = closing(
                update(Posting)
                .where(unseen, Posting.missed_runs >= close_after_missed)
                .values(closed_at=now, close_reason="missing")
            )
        changed.discard(None)
        _refresh_job_status(connection, changed)
        return counts

    return run_in_transaction(engine, work)


def lock_jobs(connection, job_ids: Iterable[int] | Select) -> None:
    """Take the row locks of the jobs about to be updated, in id order.

    Jobs are shared between boards, so two crawls may update the same jobs at once; taking their
    locks in one order means they wait for each other instead of deadlocking. FOR NO KEY UPDATE is
    the lock an UPDATE takes anyway and, unlike FOR UPDATE, does not wait for a writer that merely
    points a posting at the job. SQLite has one writer at a time and needs none of this.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.execute(select(Job.id).where(Job.id.in_(job_ids)).order_by(Job.id).with_for_update(key_share=True))


def _refresh_job_status(connection, job_ids: Iterable[int]) -> None:
    """A job is open while any of its postings is open; closed_at is when its last one closed.
    Only the given jobs (those whose postings just opened or closed) are looked at."""
    job_ids = sorted(set(job_ids))
    open_posting = select(Posting.id).where(Posting.job_id == Job.id, Posting.closed_at.is_(None)).exists()
    last_closed = select(func.max(Posting.closed_at)).where(Posting.job_id == Job.id).scalar_subquery()
    for start in range(0, len(job_ids), _ID_CHUNK):
        chunk = job_ids[start : start + _ID_CHUNK]
        lock_jobs(connection, chunk)
        connection.execute(
            update(Job)
            .where(Job.id.in_(chunk), open_posting, or_(Job.status != "open", Job.closed_at.is_not(None)))
            .values(status="open", closed_at=None)
        )
        connection.execute(
            update(Job)
            .where(Job.id.in_(chunk), ~open_posting, Job.status == "open")
            .values(status="closed", closed_at=last_closed)
        )


# --- jobs and the deduplication index --------------------------------------------------------------

MATCHING_COLUMNS = (
    Posting.id, Posting.source, Posting.source_key, Posting.url, Posting.apply_url, Posting.company,
    Posting.title, Posting.description_text, Posting.location_raw, Posting.job_id,
)  # fmt: skip


def postings_to_match(connection, source: str | None, posting_ids: Iterable[int]) -> list:
    """The given postings plus any of ``source`` not yet assigned to a job (an interrupted run)."""
    ids = sorted(set(posting_ids))
    rows = []
    # Locked (PostgreSQL; SQLite has one writer at a time): the caller's own postings, which it
    # has just written and so already holds.
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        statement = select(*MATCHING_COLUMNS).where(Posting.id.in_(chunk)).order_by(Posting.id)
        rows.extend(connection.execute(statement.with_for_update(of=Posting)))
    if source is not None:
        # Postings left without a job are adopted only when no other transaction holds them: one
        # that does is writing or adopting them itself, and matching them here too would give them
        # a second job and leave one of the two without postings. SKIP LOCKED passes them over
        # instead of waiting; a row committed meanwhile is re-read, and dropped once it has a job.
        statement = (
            select(*MATCHING_COLUMNS)
            .where(Posting.source == source, Posting.job_id.is_(None), Posting.id.not_in(ids))
            .order_by(Posting.id)
            .with_for_update(of=Posting, skip_locked=True)
        )
        rows.extend(connection.execute(statement))
    return sorted(rows, key=lambda row: row.id)


def matched_postings_after(connection, after_id: int, limit: int) -> list:
    """The next ``limit`` postings that have a job, after ``after_id`` in id order, with their stored
    fingerprint: a walk over the whole table in bounded pieces."""
    statement = (
        select(*MATCHING_COLUMNS, Posting.fingerprint)
        .where(Posting.id > after_id, Posting.job_id.is_not(None))
        .order_by(Posting.id)
        .limit(limit)
    )
    return list(connection.execute(statement))


def _index_key(kind: str, value: str) -> str:
    key = f"{kind}:{value}"
    return key if len(key) <= 96 else f"{kind}#" + hashlib.sha1(value.encode("utf-8")).hexdigest()


# The candidate index's statements, built once: a posting's matching runs about ten of them, and
# building a SQLAlchemy statement anew costs as much as running it.
_DELETE_KEYS = DedupKey.__table__.delete().where(DedupKey.posting_id.in_(bindparam("ids", expanding=True)))
_INSERT_KEYS = insert(DedupKey)
_KEY_ROWS = (
    func.unnest(bindparam("ids", type_=postgresql.ARRAY(Integer)), bindparam("keys", type_=postgresql.ARRAY(String)))
    .table_valued("posting_id", "key")
    .render_derived(name="key_rows")
)
_INSERT_KEYS_FROM_ARRAYS = insert(DedupKey).from_select(
    ["posting_id", "key"], select(_KEY_ROWS.c.posting_id, _KEY_ROWS.c.key)
)
_LOAD_FINGERPRINTS = select(Posting.id, Posting.fingerprint, Posting.job_id).where(
    Posting.id.in_(bindparam("ids", expanding=True)), Posting.fingerprint.is_not(None), Posting.job_id.is_not(None)
)
_POSTINGS_BY_KEY = select(DedupKey.posting_id).where(DedupKey.key == bindparam("key")).order_by(DedupKey.posting_id)
_POSTINGS_BY_KEYS = (
    select(DedupKey.key, DedupKey.posting_id)
    .where(DedupKey.key.in_(bindparam("keys", expanding=True)))
    .order_by(DedupKey.key, DedupKey.posting_id)
)
_SHARED_KEYS = func.count().label("shared")
# A band lookup for ``limit`` candidates reads this many times as many postings: some are dropped
# for another company.
_READ_PER_CANDIDATE = 4
_POSTINGS_BY_BANDS = (
    select(DedupKey.posting_id, _SHARED_KEYS)
    .where(DedupKey.key.in_(bindparam("keys", expanding=True)))
    .group_by(DedupKey.posting_id)
    .order_by(_SHARED_KEYS.desc(), DedupKey.posting_id.desc())
    .limit(bindparam("most"))
)
_LOAD_WORDS = select(Posting.fingerprint_words).where(Posting.id == bindparam("pid"))
_ASSIGN = (
    update(Posting)
    .where(Posting.id == bindparam("pid"))
    .values(job_id=bindparam("jid"), dedup_reason=bindparam("reason"), dedup_score=bindparam("score"),
            fingerprint=bindparam("record"), fingerprint_words=bindparam("words"))
)  # fmt: skip
_STORE_FINGERPRINT = (
    update(Posting)
    .where(Posting.id == bindparam("pid"))
    .values(fingerprint=bindparam("record"), fingerprint_words=bindparam("words"))
)


def _stored_fingerprint(record: dict) -> dict[str, str]:
    """A fingerprint record as its two columns (``split_record``): what a candidate is
    shortlisted on, and the word arrays only a comparison reads."""
    from aggregator.dedup.fingerprint import split_record

    light, words = split_record(record)
    return {"record": json.dumps(light), "words": json.dumps(words)}


class SqlCandidateIndex:
    """The matcher's CandidateIndex (aggregator.dedup) backed by ``dedup_keys`` and ``postings``:
    every lookup is an indexed query, so matching a posting costs the same at 1k or 1M postings.

    :meth:`read_ahead` reads what a batch's lookups will ask in two statements instead of several
    per posting (on PostgreSQL each is a round trip); the answers are those the tables give until
    :meth:`flush`, before which the caller writes nothing the index reads."""

    def __init__(self, connection, fingerprint_type):
        self.connection = connection
        self.fingerprint_type = fingerprint_type
        # Added since the last flush: posting id → (fingerprint, job id, keys), and key → posting ids.
        self._pending: dict[int, tuple] = {}
        self._pending_by_key: dict[str, list[int]] = {}
        # Read ahead: key → its stored posting ids; posting id → (stored record, job id), replaced
        # by (fingerprint, job id) on first use (more are read ahead than asked for): the
        # record's text is not kept beside its fingerprint.
        self._stored_ids: dict[str, list[int]] = {}
        self._stored_records: dict[int, tuple[str | Any, Any] | None] = {}
        self._postgresql = connection.dialect.name == "postgresql"

    @contextlib.contextmanager
    def _planned_with_values(self) -> Iterator[None]:
        """The lookups inside are planned with their values on PostgreSQL. psycopg prepares a
        statement on its 5th run, and PostgreSQL then keeps a generic plan made for the table as
        it was: a fresh dedup_keys of a few rows and no statistics gets a sequential scan that
        nothing replans as the table grows (80 ms a lookup at 240k keys instead of under 1 ms by
        the key index). Only the lookups: the transaction's writes, one statement per row, and
        the foreign-key checks they fire would be planned again on every row too (half the
        server's time in a crawl). Not reset after an error: the transaction is rolled back."""
        if not self._postgresql:
            yield
            return
        self.connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
        self.connection.exec_driver_sql("SET LOCAL plan_cache_mode = DEFAULT")

    @staticmethod
    def keys(fp) -> list[str]:
        keys = []
        if fp.source_id is not None:
            keys.append(_index_key("sid", f"{fp.source}:{fp.source_id}"))
        if fp.url:
            keys.append(_index_key("url", fp.url))
        if fp.apply_url:
            keys.append(_index_key("apply", fp.apply_url))
        keys.extend(_index_key("band", key) for key in fp.band_keys)
        return list(dict.fromkeys(keys))

    def add(self, fp, job_id, record: dict | None = None) -> None:
        """Index ``fp`` (whose ``to_record()`` the caller may have made already) under ``job_id``.
        Kept in memory (and found by later lookups) until :meth:`flush` writes the keys of every
        posting added, in two statements for the batch rather than two per posting: on PostgreSQL
        each statement is a round trip."""
        self._forget_pending(fp.posting_id)
        keys = self.keys(fp)
        # As a later lookup would read it back from the table: the stored record, not the object.
        # (A record holds only JSON's own types, lists not tuples: its JSON text reads back equal.)
        record = fp.to_record() if record is None else record
        stored = self.fingerprint_type.from_record(record)
        self._pending[fp.posting_id] = (stored, job_id, keys)
        for key in keys:
            self._pending_by_key.setdefault(key, []).append(fp.posting_id)

    def flush(self) -> None:
        """Write the keys of the postings added since the last flush (their old keys replaced)."""
        self._forget_read_ahead()
        if not self._pending:
            return
        ids = sorted(self._pending)
        for start in range(0, len(ids), _ID_CHUNK):
            self.connection.execute(_DELETE_KEYS, {"ids": ids[start : start + _ID_CHUNK]})
        rows = [(pid, key) for pid, (_, _, keys) in self._pending.items() for key in keys]
        if rows and self._postgresql:
            # One statement, not one per key (~26 a posting): each costs PostgreSQL an executor.
            ids, keys = zip(*rows, strict=True)
            self.connection.execute(_INSERT_KEYS_FROM_ARRAYS, {"ids": list(ids), "keys": list(keys)})
        elif rows:
            self.connection.execute(_INSERT_KEYS, [{"posting_id": pid, "key": key} for pid, key in rows])
        self._pending.clear()
        self._pending_by_key.clear()

    def read_ahead(self, fps: Sequence, band_lookups: Sequence[Sequence[str]], limit: int) -> None:
        """Read at once what the lookups of these postings will read: the stored postings under
        each exact key of ``fps`` and each key of ``band_lookups`` (the key lists
        :meth:`by_band_keys` will be asked, with ``limit``), and the fingerprints of every posting
        a lookup can return. Of what an earlier call read, only what these lookups ask again is
        kept: a batch read ahead in parts holds one part's candidates at a time."""
        exact = {key for fp in fps for key in self.keys(fp) if not key.startswith("band:")}
        lookups = [[_index_key("band", key) for key in keys] for keys in band_lookups]
        asked = exact.union(*lookups)
        self._stored_ids = {key: ids for key, ids in self._stored_ids.items() if key in asked}
        keys = sorted(asked - self._stored_ids.keys())
        for key in keys:
            self._stored_ids[key] = []
        # Both reads planned with their values (the ranking between them asks nothing).
        with self._planned_with_values():
            for start in range(0, len(keys), _ID_CHUNK):
                chunk = keys[start : start + _ID_CHUNK]
                for key, posting_id in self.connection.execute(_POSTINGS_BY_KEYS, {"keys": chunk}):
                    self._stored_ids[key].append(posting_id)
            wanted = {posting_id for key in exact for posting_id in self._stored_ids[key]}
            # A band lookup returns from the ``most`` postings sharing the most keys, once this
            # batch's are set aside: more than that number of stored ones are never read.
            most = limit * _READ_PER_CANDIDATE + len(self._pending) + len(fps)
            for lookup in lookups:
                wanted.update(self._ranked(self._stored_counts(lookup))[:most])
            self._stored_records = {pid: read for pid, read in self._stored_records.items() if pid in wanted}
            ids = sorted(wanted - self._stored_records.keys())
            for posting_id in ids:
                self._stored_records[posting_id] = None  # until read: no fingerprint or no job yet
            for start in range(0, len(ids), _ID_CHUNK):
                for posting_id, record, job_id in self.connection.execute(
                    _LOAD_FINGERPRINTS, {"ids": ids[start : start + _ID_CHUNK]}
                ):
                    self._stored_records[posting_id] = (record, job_id)

    def _forget_pending(self, posting_id: int) -> None:
        if (earlier := self._pending.pop(posting_id, None)) is not None:
            for key in earlier[2]:
                self._pending_by_key[key].remove(posting_id)

    def _forget_read_ahead(self) -> None:
        self._stored_ids.clear()
        self._stored_records.clear()

    def _stored(self, posting_id: int) -> tuple | None:
        """(fingerprint, job id) of a stored posting read ahead; None when it has none to match."""
        read = self._stored_records[posting_id]
        if read is not None and isinstance(read[0], str):
            read = self._stored_records[posting_id] = self._decode(posting_id, *read)
        return read

    def _decode(self, posting_id: int, record: str, job_id) -> tuple:
        return self.fingerprint_type.from_record(json.loads(record), words=lambda: self._words(posting_id)), job_id

    def _words(self, posting_id: int) -> dict:
        """The word arrays of a stored posting's fingerprint, read when a comparison needs them
        (in the transaction its record was read in)."""
        stored = self.connection.execute(_LOAD_WORDS, {"pid": posting_id}).scalar()
        return json.loads(stored) if stored else {}

    def _load(self, posting_ids: Sequence[int]) -> Iterator[tuple]:
        """(fingerprint, job id) of each posting, in the order given; those added since the last
        flush as they were added (their stored keys and fingerprint may be older). Each stored
        one is decoded as it is reached: a caller that stops early decodes no more."""
        unread = [pid for pid in posting_ids if pid not in self._pending and pid not in self._stored_records]
        asked = {}
        if unread:
            with self._planned_with_values():
                rows = self.connection.execute(_LOAD_FINGERPRINTS, {"ids": unread}).all()
            asked = {posting_id: (record, job_id) for posting_id, record, job_id in rows}
        for posting_id in posting_ids:
            if posting_id in self._pending:
                yield self._pending[posting_id][:2]
            elif posting_id in self._stored_records:
                if (read := self._stored(posting_id)) is not None:
                    yield read
            elif (record := asked.get(posting_id)) is not None:
                yield self._decode(posting_id, *record)

    def _postings_under(self, key: str) -> list[int]:
        """The stored postings under ``key``, oldest first (read ahead, else asked)."""
        if (ids := self._stored_ids.get(key)) is None:
            with self._planned_with_values():
                ids = list(self.connection.scalars(_POSTINGS_BY_KEY, {"key": key}))
        return ids

    def _stored_counts(self, keys: Sequence[str]) -> dict[int, int]:
        """Stored posting → how many of ``keys`` it is filed under (each key counted once)."""
        shared: dict[int, int] = {}
        for key in dict.fromkeys(keys):
            for posting_id in self._stored_ids[key]:
                shared[posting_id] = shared.get(posting_id, 0) + 1
        return shared

    @staticmethod
    def _ranked(shared: dict[int, int]) -> list[int]:
        """Most shared keys first, ties to the newest posting: as ``_POSTINGS_BY_BANDS`` orders."""
        return sorted(shared, key=lambda posting_id: (-shared[posting_id], -posting_id))

    def _by_exact(self, key: str) -> list[tuple]:
        # Stored keys first (older postings), then this batch's, as one table in insertion order.
        ids = [pid for pid in self._postings_under(key) if pid not in self._pending]
        return list(self._load(ids + self._pending_by_key.get(key, [])))

    def by_source_id(self, source, source_id):
        return self._by_exact(_index_key("sid", f"{source}:{source_id}"))

    def by_url(self, canonical):
        return self._by_exact(_index_key("url", canonical))

    def by_apply_url(self, canonical):
        return self._by_exact(_index_key("apply", canonical))

    def by_band_keys(self, keys, company_key, limit: int = 60):
        if not keys:
            return []
        keys = [_index_key("band", key) for key in keys]
        most = limit * _READ_PER_CANDIDATE
        # The postings sharing the most keys, ties to the newest: the stored ones (when not read
        # ahead, asked for enough more that dropping this batch's stale rows leaves ``most``) and
        # this batch's, ranked together.
        if all(key in self._stored_ids for key in keys):
            stored = self._stored_counts(keys)
        else:
            with self._planned_with_values():
                stored = dict(
                    self.connection.execute(_POSTINGS_BY_BANDS, {"keys": keys, "most": most + len(self._pending)}).all()
                )
        shared = {posting_id: count for posting_id, count in stored.items() if posting_id not in self._pending}
        for key in keys:
            for posting_id in self._pending_by_key.get(key, ()):
                shared[posting_id] = shared.get(posting_id, 0) + 1
        candidates = (
            (fp, job_id)
            for fp, job_id in self._load(self._ranked(shared)[:most])
            if company_key is None or fp.company_key in (None, company_key)
        )
        return list(itertools.islice(candidates, limit))


def assign_posting(connection, posting_id: int, job_id: int, reason: str, score: float | None, record: dict) -> None:
    assign_postings(connection, [(posting_id, job_id, reason, score, record)])


def assign_postings(connection, assignments: Sequence[tuple[int, int, str, float | None, dict]]) -> None:
    """Each (posting id, job id, reason, score, fingerprint record): the posting joins the job."""
    if assignments:
        connection.execute(
            _ASSIGN,
            [{"pid": pid, "jid": jid, "reason": reason, "score": score, **_stored_fingerprint(record)}
             for pid, jid, reason, score, record in assignments],
        )  # fmt: skip


def store_fingerprint(connection, posting_id: int, record: dict) -> None:
    store_fingerprints(connection, [(posting_id, record)])


def store_fingerprints(connection, fingerprints: Sequence[tuple[int, dict]]) -> None:
    if fingerprints:
        connection.execute(
            _STORE_FINGERPRINT, [{"pid": pid, **_stored_fingerprint(record)} for pid, record in fingerprints]
        )


def create_job(connection, title: str, company: str | None, seen_at: datetime) -> int:
    return create_jobs(connection, [(title, company)], seen_at)[0]


def create_jobs(connection, jobs: Sequence[tuple[str, str | None]], seen_at: datetime) -> list[int]:
    """A new open job for each (title, company), in one statement; their ids, in the same order."""
    if not jobs:
        return []
    rows = [
        {"title": title, "company": company, "first_seen_at": seen_at, "last_seen_at": seen_at, "status": "open"}
        for title, company in jobs
    ]
    return list(connection.scalars(insert(Job).returning(Job.id, sort_by_parameter_order=True), rows))


_NEVER = datetime.min.replace(tzinfo=UTC)


def _best_posting(postings: list) -> object:
    """The posting that represents a job: an open one, the most recently posted, then seen."""
    return max(
        postings,
        key=lambda p: (p.closed_at is None, p.date_posted or _NEVER, p.last_seen_at, p.id),
    )


def _best_salary(postings: list, best) -> object | None:
    with_salary = [p for p in postings if p.salary_min is not None or p.salary_max is not None]
    if not with_salary:
        return None
    if best in with_salary:
        return best
    return max(with_salary, key=lambda p: (p.salary_min is not None and p.salary_max is not None, p.last_seen_at))


def _time_zone_window(postings: list, best) -> dict:
    """The best posting's window, else the first other posting that states one."""
    stated = next((p for p in [best, *postings] if p.tz_min is not None), None)
    return {"tz_min": stated.tz_min if stated else None, "tz_max": stated.tz_max if stated else None}


def refresh_jobs(connection, job_ids: Iterable[int]) -> None:
    """Recompute what people filter jobs on from the jobs' postings."""
    job_ids = list(set(job_ids))
    if not job_ids:
        return
    # Locked before the postings are read: a crawl that waited for another's lock then reads the
    # postings that crawl committed, instead of overwriting its aggregates with older ones.
    lock_jobs(connection, job_ids)
    columns = (
        Posting.id, Posting.job_id, Posting.title, Posting.company, Posting.countries, Posting.regions,
        Posting.workplace, Posting.worldwide, Posting.salary_min, Posting.salary_max, Posting.salary_currency,
        Posting.salary_period, Posting.salary_annual_min, Posting.salary_annual_max, Posting.first_seen_at,
        Posting.last_seen_at, Posting.closed_at, Posting.date_posted, Posting.tz_min, Posting.tz_max,
    )  # fmt: skip
    by_job: dict[int, list] = {}
    for row in connection.execute(select(*columns).where(Posting.job_id.in_(job_ids))):
        by_job.setdefault(row.job_id, []).append(row)
    updates = []
    for job_id, postings in by_job.items():
        best = _best_posting(postings)
        paid = _best_salary(postings, best)
        open_postings = [p for p in postings if p.closed_at is None]
        updates.append(
            {
                "jid": job_id,
                "title": best.title,
                "company": best.company or next((p.company for p in postings if p.company), None),
                "best_posting_id": best.id,
                "countries": sorted({c for p in postings for c in (p.countries or [])}),
                "regions": sorted({r for p in postings for r in (p.regions or [])}),
                "workplace": best.workplace,
                "worldwide": any(p.worldwide for p in postings),
                **_time_zone_window(postings, best),
                "salary_min": paid.salary_min if paid else None,
                "salary_max": paid.salary_max if paid else None,
                "salary_currency": paid.salary_currency if paid else None,
                "salary_period": paid.salary_period if paid else None,
                "salary_annual_min": paid.salary_annual_min if paid else None,
                "salary_annual_max": paid.salary_annual_max if paid else None,
                "first_seen_at": min(p.first_seen_at for p in postings),
                "last_seen_at": max(p.last_seen_at for p in postings),
                "status": "open" if open_postings else "closed",
                "closed_at": None if open_postings else max(p.closed_at for p in postings),
                "postings_count": len(postings),
                "reposts_count": len(postings) - 1,
            }
        )
    values = {name: bindparam(name) for name in updates[0] if name != "jid"}
    connection.execute(update(Job).where(Job.id == bindparam("jid")).values(**values), updates)


def record_alert_delivery(
    engine: Engine, alert: str, destination: str, job_ids: Sequence[int], error: str | None = None
) -> int:
    """One attempt to send a saved search's jobs; when it succeeded (no ``error``) the jobs count as sent."""

    def work(connection) -> int:
        delivery_id = connection.execute(
            insert(AlertDelivery)
            .values(alert=alert, attempted_at=utcnow(), destination=destination,
                    status="failed" if error else "sent", jobs_count=len(job_ids), error=error)
            .returning(AlertDelivery.id)
        ).scalar_one()  # fmt: skip
        if not error and job_ids:
            connection.execute(
                insert(AlertJob), [{"alert": alert, "job_id": job_id, "delivery_id": delivery_id} for job_id in job_ids]
            )
        return delivery_id

    return run_in_transaction(engine, work)
