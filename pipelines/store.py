from aggregator import repository
from aggregator.db import database
from aggregator.items import NormalisedPosting


class StorePipeline:
    """Idempotent batched upserts on (source, source_key); counts new/updated/unchanged in stats."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = crawler.settings["DATABASE_URL"]
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE", 500)
        self.batch: list[NormalisedPosting] = []
        self.engine = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = database(self.url).engine

    def process_item(self, item: NormalisedPosting) -> NormalisedPosting:
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        run_id = self.stats.get_value("aggregator/crawl_run_id")
        counts = repository.upsert_postings(self.engine, batch, run_id)
        self.stats.inc_value("aggregator/items_new", counts.new)
        self.stats.inc_value("aggregator/items_updated", counts.updated)
        self.stats.inc_value("aggregator/items_unchanged", counts.unchanged)
