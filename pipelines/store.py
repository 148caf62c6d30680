from aggregator import repository
from aggregator.db import database
from aggregator.items import NormalisedPosting, PostingSeen
from aggregator.jobs import assign_jobs


class StorePipeline:
    """Idempotent batched upserts on (source, source_key); counts new/updated/unchanged in stats.

    Postings seen unchanged without a download (PostingSeen) only get ``last_seen_at`` moved.
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

    def flush(self) -> None:
        run_id = self.stats.get_value("aggregator/crawl_run_id")
        if self.batch:
            batch, self.batch = self.batch, []
            counts = repository.upsert_postings(self.engine, batch, run_id)
            self.stats.inc_value("aggregator/items_new", counts.new)
            self.stats.inc_value("aggregator/items_updated", counts.updated)
            self.stats.inc_value("aggregator/items_unchanged", counts.unchanged)
            assigned = assign_jobs(self.engine, counts.written_ids, source=batch[0].source)
            self.stats.inc_value("aggregator/jobs/new", assigned.new_jobs)
            self.stats.inc_value("aggregator/jobs/joined", assigned.joined)
        if self.seen:
            seen, self.seen = self.seen, []
            by_source: dict[str, list[str]] = {}
            for item in seen:
                by_source.setdefault(item.source, []).append(item.listed_url)
            for source, urls in by_source.items():
                touched = repository.touch_listed(self.engine, source, urls, run_id)
                self.stats.inc_value("aggregator/items_unchanged", touched)
