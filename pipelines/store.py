import logging

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from aggregator import repository
from aggregator.db import database, run_in_transaction
from aggregator.items import NormalisedPosting, PostingSeen
from aggregator.jobs import assign_jobs, assign_jobs_in
from aggregator.repository import database_error
from aggregator.storable import make_storable

logger = logging.getLogger(__name__)


def refuses_everything(error: BaseException) -> bool:
    """The database itself failed (read-only file, full disk, lost connection), not one posting's
    values: splitting the batch would only fail again, posting by posting."""
    return isinstance(error, (OperationalError, InterfaceError))


class StorePipeline:
    """Idempotent batched upserts on (source, source_key); counts new/updated/unchanged in stats.

    Each batch of postings is written together with its job assignment, in one transaction. A value
    the database would refuse is cleaned first (aggregator.storable); a batch that still fails is
    split until the posting(s) at fault are found, and each of those is stored as a reject (stage
    ``store``) with the database's error, while the rest of the batch is stored. Postings seen
    unchanged without a download (PostingSeen) only get ``last_seen_at`` moved.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = crawler.settings["DATABASE_URL"]
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE", 500)
        self.batch: list[NormalisedPosting] = []
        self.seen: list[PostingSeen] = []
        self.engine = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = database(self.url).engine

    def process_item(self, item: NormalisedPosting | PostingSeen) -> NormalisedPosting | PostingSeen:
        if isinstance(item, PostingSeen):
            self.seen.append(item)
        else:
            self.batch.append(item)
        if len(self.batch) + len(self.seen) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        # Postings a crash left without a job (written before postings and jobs shared a
        # transaction) are matched by the next crawl of their board, whatever it found.
        spider = getattr(self.crawler, "spider", None)
        if spider is not None:
            try:
                repaired = assign_jobs(self.engine, [], source=spider.name)
            except SQLAlchemyError as error:
                self._failed(0, error)
            else:
                self.stats.inc_value("aggregator/jobs/repaired", repaired.new_jobs + repaired.joined)

    def flush(self) -> None:
        run_id = self.stats.get_value("aggregator/crawl_run_id")
        if self.batch:
            batch, self.batch = self.batch, []
            for posting in batch:
                for fix, count in make_storable(posting).items():
                    self.stats.inc_value(f"aggregator/store/cleaned/{fix}", count)
            self._write(batch, run_id)
        if self.seen:
            seen, self.seen = self.seen, []
            by_source: dict[str, list[str]] = {}
            for item in seen:
                by_source.setdefault(item.source, []).append(item.listed_url)
            for source, urls in by_source.items():
                try:
                    touched = repository.touch_listed(self.engine, source, urls, run_id)
                except SQLAlchemyError as error:
                    self._failed(len(urls), error)
                else:
                    self.stats.inc_value("aggregator/items_unchanged", touched)

    def _write(self, batch: list[NormalisedPosting], run_id) -> None:
        def work(connection):
            counts = repository.upsert_postings_in(connection, batch, run_id)
            assigned = assign_jobs_in(connection, counts.written_ids, source=batch[0].source)
            return counts, assigned

        try:
            counts, assigned = run_in_transaction(self.engine, work)
        except (SQLAlchemyError, ValueError) as error:
            if len(batch) > 1 and not refuses_everything(error):
                middle = len(batch) // 2
                self._write(batch[:middle], run_id)
                self._write(batch[middle:], run_id)
            else:
                self._not_stored(batch, error, run_id)
            return
        self.stats.inc_value("aggregator/items_new", counts.new)
        self.stats.inc_value("aggregator/items_updated", counts.updated)
        self.stats.inc_value("aggregator/items_unchanged", counts.unchanged)
        self.stats.inc_value("aggregator/jobs/new", assigned.new_jobs)
        self.stats.inc_value("aggregator/jobs/joined", assigned.joined)

    def _not_stored(self, batch: list[NormalisedPosting], error: BaseException, run_id) -> None:
        """Each posting the database would not take becomes a reject with the database's reason."""
        reason = f"the database refused to store it: {database_error(error)}"
        self._failed(len(batch), error)
        try:
            repository.add_rejects(
                self.engine,
                run_id=run_id,
                spider=batch[0].source,
                rejects=[(posting.url, "store", reason, posting.raw) for posting in batch],
            )
        except SQLAlchemyError as reject_error:
            # Not even a reject could be written: the run's status carries the error instead.
            self.stats.inc_value("aggregator/store/lost", len(batch))
            logger.error("%d postings lost: %s", len(batch), database_error(reject_error))
        else:
            self.stats.inc_value("aggregator/rejected", len(batch))
            self.stats.inc_value("aggregator/store/rejected", len(batch))

    def _failed(self, count: int, error: BaseException) -> None:
        message = database_error(error)
        logger.error("could not store %d postings: %s", count, message)
        self.stats.inc_value("aggregator/store/failed", count)
        if self.stats.get_value("aggregator/store/error") is None:
            self.stats.set_value("aggregator/store/error", message)
