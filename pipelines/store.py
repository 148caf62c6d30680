from collections import Counter

from aggregator.crawl_writes import StoreOutcome, prepare_writer, repair_unassigned, store_batch
from aggregator.db import database
from aggregator.items import NormalisedPosting, PostingSeen
from aggregator.serial_writer import SerialWriter

# Batches handed to the writer process and not yet written before items wait for the oldest: downloads
# go on while a few batches are written, and memory stays bounded when the database is slower (a
# waiting item keeps its response in Scrapy's scraper, which stops downloading once enough wait).
MAX_QUEUED_BATCHES = 4


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
        # Every item waits, not only the one that fills a batch: Scrapy processes many items at once,
        # and the others kept filling batches behind a waiting one (on PostgreSQL a 6k crawl's
        # process held 35 batches, ~50 MB, when the writer fell behind).
        while self.writer.queued > MAX_QUEUED_BATCHES:
            await self.writer.wait_for_oldest()
        if isinstance(item, PostingSeen):
            self.seen.append(item)
        else:
            self.batch.append(item)
        if len(self.batch) + len(self.seen) >= self.batch_size:
            self.flush()
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

        def lost(message: str) -> None:
            self._count(StoreOutcome(Counter({"aggregator/store/failed": count}), message))

        return lost
