import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from aggregator import repository
from aggregator.db import database
from aggregator.items import NormalisedPosting, PostingSeen
from aggregator.job_assignment import assign_jobs, store_with_jobs, warm_up
from aggregator.repository import database_error
from aggregator.serial_writer import SerialWriter
from aggregator.storable import make_storable

logger = logging.getLogger(__name__)

# Batches handed to the writer process and not yet written before the pipeline waits for the oldest:
# downloads go on while a few batches are written, and memory stays bounded when the database is slower.
MAX_QUEUED_BATCHES = 4


def refuses_everything(error: BaseException) -> bool:
    """The database itself failed (read-only file, full disk, lost connection), not one posting's
    values: splitting the batch would only fail again, posting by posting."""
    return isinstance(error, (OperationalError, InterfaceError))


@dataclass
class StoreOutcome:
    """What writing one batch did, counted in the writer process and added to the crawl's stats on
    the reactor thread (Scrapy's stats are not shared between threads)."""

    stats: Counter = field(default_factory=Counter)
    error: str | None = None


class StorePipeline:
    """Idempotent batched upserts on (source, source_key); counts new/updated/unchanged in stats.

    Each batch of postings is written together with its job assignment, in one transaction, by the
    crawl's writer process (aggregator.serial_writer), so that downloads go on meanwhile, on another
    core. A value the database would refuse is cleaned first (aggregator.storable); a batch that
    still fails is split until the posting(s) at fault are found, and each of those is stored as a
    reject (stage ``store``) with the database's error, while the rest of the batch is stored.
    Postings seen unchanged without a download (PostingSeen) only get ``last_seen_at`` moved. The
    spider closes only once every batch is written.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = crawler.settings["DATABASE_URL"]
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE", 100)
        self.batch: list[NormalisedPosting] = []
        self.seen: list[PostingSeen] = []
        self.writer = SerialWriter.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        database(self.url)  # created and migrated here, before the first write
        # The writer process opens it too, and loads what matching needs, while the crawl starts.
        self.writer.start(prepare_writer, self.url)

    async def process_item(self, item: NormalisedPosting | PostingSeen) -> NormalisedPosting | PostingSeen:
        if isinstance(item, PostingSeen):
            self.seen.append(item)
        else:
            self.batch.append(item)
        if len(self.batch) + len(self.seen) >= self.batch_size:
            self.flush()
            while self.writer.queued > MAX_QUEUED_BATCHES:
                await self.writer.wait_for_oldest()
        return item

    async def close_spider(self) -> None:
        self.flush()
        # Postings a crash left without a job (written before postings and jobs shared a
        # transaction) are matched by the next crawl of their board, whatever it found.
        spider = getattr(self.crawler, "spider", None)
        if spider is not None:
            self.writer.submit(repair_unassigned, self.url, spider.name, then=self._count)
        await self.writer.drain()

    def flush(self) -> None:
        """Hand the batch so far to the writer process."""
        run_id = self.stats.get_value("aggregator/crawl_run_id")
        batch, self.batch = self.batch, []
        seen, self.seen = self.seen, []
        if batch or seen:
            self.writer.submit(
                store_batch, self.url, batch, seen, run_id, then=self._count, failed=self._lost(len(batch) + len(seen))
            )

    def _count(self, outcome: StoreOutcome) -> None:
        for name, count in outcome.stats.items():
            self.stats.inc_value(name, count)
        if outcome.error is not None and self.stats.get_value("aggregator/store/error") is None:
            self.stats.set_value("aggregator/store/error", outcome.error)

    def _lost(self, count: int):
        """When the writer process itself fails on a batch, its postings are counted as not stored."""

        def lost(error: BaseException) -> None:
            failure = f"the writer process failed: {error!r}"
            self._count(StoreOutcome(Counter({"aggregator/store/failed": count}), failure))

        return lost


# --- in the writer process ----------------------------------------------------------------------


def prepare_writer(database_url: str) -> None:
    """Open the database and load the matcher's models, before the first batch arrives."""
    database(database_url)
    warm_up()


def store_batch(database_url: str, batch: list[NormalisedPosting], seen: list[PostingSeen], run_id) -> StoreOutcome:
    outcome = StoreOutcome()
    try:
        _store_into(database(database_url).engine, outcome, batch, seen, run_id)
    except Exception as error:  # noqa: BLE001 - a bug here must fail the run, not vanish in the writer
        logger.exception("the store failed on a batch of %d postings", len(batch) + len(seen))
        _failed(outcome, len(batch) + len(seen), error)
    return outcome


def _store_into(engine, outcome: StoreOutcome, batch: list[NormalisedPosting], seen: list[PostingSeen], run_id):
    if batch:
        for posting in batch:
            for fix, count in make_storable(posting).items():
                outcome.stats[f"aggregator/store/cleaned/{fix}"] += count
        _write(engine, batch, run_id, outcome)
    by_source: dict[str, list[str]] = {}
    for item in seen:
        by_source.setdefault(item.source, []).append(item.listed_url)
    for source, urls in by_source.items():
        try:
            touched = repository.touch_listed(engine, source, urls, run_id)
        except SQLAlchemyError as error:
            _failed(outcome, len(urls), error)
        else:
            outcome.stats["aggregator/items_unchanged"] += touched


def repair_unassigned(database_url: str, source: str) -> StoreOutcome:
    outcome = StoreOutcome()
    try:
        repaired = assign_jobs(database(database_url).engine, [], source=source)
    except SQLAlchemyError as error:
        _failed(outcome, 0, error)
    else:
        outcome.stats["aggregator/jobs/repaired"] += repaired.new_jobs + repaired.joined
    return outcome


def _write(engine, batch: list[NormalisedPosting], run_id, outcome: StoreOutcome) -> None:
    try:
        counts, assigned = store_with_jobs(engine, batch, run_id)
    except (SQLAlchemyError, ValueError) as error:
        if len(batch) > 1 and not refuses_everything(error):
            middle = len(batch) // 2
            _write(engine, batch[:middle], run_id, outcome)
            _write(engine, batch[middle:], run_id, outcome)
        else:
            _not_stored(engine, batch, error, run_id, outcome)
        return
    outcome.stats["aggregator/items_new"] += counts.new
    outcome.stats["aggregator/items_updated"] += counts.updated
    outcome.stats["aggregator/items_unchanged"] += counts.unchanged
    outcome.stats["aggregator/jobs/new"] += assigned.new_jobs
    outcome.stats["aggregator/jobs/joined"] += assigned.joined


def _not_stored(engine, batch: list[NormalisedPosting], error: BaseException, run_id, outcome: StoreOutcome) -> None:
    """Each posting the database would not take becomes a reject with the database's reason."""
    reason = f"the database refused to store it: {database_error(error)}"
    _failed(outcome, len(batch), error)
    try:
        repository.add_rejects(
            engine,
            run_id=run_id,
            spider=batch[0].source,
            rejects=[(posting.url, "store", reason, posting.raw) for posting in batch],
        )
    except SQLAlchemyError as reject_error:
        # Not even a reject could be written: the run's status carries the error instead.
        outcome.stats["aggregator/store/lost"] += len(batch)
        logger.error("%d postings lost: %s", len(batch), database_error(reject_error))
    else:
        outcome.stats["aggregator/rejected"] += len(batch)
        outcome.stats["aggregator/store/rejected"] += len(batch)


def _failed(outcome: StoreOutcome, count: int, error: BaseException) -> None:
    message = database_error(error)
    logger.error("could not store %d postings: %s", count, message)
    outcome.stats["aggregator/store/failed"] += count
    if outcome.error is None:
        outcome.error = message
