import dataclasses
import logging

from scrapy.exceptions import DropItem

from aggregator import repository
from aggregator.db import database
from aggregator.items import NormalisedPosting, PostingSeen

logger = logging.getLogger(__name__)

POSTING_FIELDS = tuple(field.name for field in dataclasses.fields(NormalisedPosting))


class FeedExportPipeline:
    """Feed exports (``-O out.jsonl``, ``FEEDS``) carry full postings, never stubs.

    The last pipeline: what it returns is what feed exporters write. A posting an incremental
    crawl skipped as unchanged reaches it as a ``PostingSeen`` (no content); when a feed export
    is configured, the posting is read back from the database (after the store has counted it)
    and exported like a fetched one. Without a feed export nothing is read.
    """

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.url = crawler.settings["DATABASE_URL"]
        self.enabled = bool(crawler.settings.getdict("FEEDS"))
        self.engine = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        if self.enabled:
            self.engine = database(self.url).engine

    def process_item(self, item):
        if not self.enabled or not isinstance(item, PostingSeen):
            return item
        columns = repository.posting_columns(self.engine, item.posting_id) if item.posting_id else None
        if columns is None:  # cannot happen while postings are never deleted; say so if it does
            self.stats.inc_value("aggregator/feed_export/not_found")
            raise DropItem(f"feed export: no stored posting for {item.listed_url}")
        self.stats.inc_value("aggregator/feed_export/read_back")
        return NormalisedPosting(**{name: columns[name] for name in POSTING_FIELDS})

    def close_spider(self) -> None:
        if self.enabled:
            read_back = self.stats.get_value("aggregator/feed_export/read_back", 0)
            logger.info(
                "feed export: every posting written in full; %d of them unchanged since the last crawl "
                "and read back from the database",
                read_back,
            )
