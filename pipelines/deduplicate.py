from aggregator.exceptions import DuplicateItem
from aggregator.items import NormalisedPosting, PostingSeen


class DeduplicatePipeline:
    """The same posting (source, source_key) twice in one crawl is stored once."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: NormalisedPosting | PostingSeen) -> NormalisedPosting | PostingSeen:
        if isinstance(item, PostingSeen):
            return item
        if item.key in self.seen:
            self.stats.inc_value("aggregator/duplicates_in_crawl")
            raise DuplicateItem(f"{item.source}:{item.source_key} already seen in this crawl")
        self.seen.add(item.key)
        return item
