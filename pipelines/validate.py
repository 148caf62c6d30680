from aggregator.exceptions import RejectedItem
from aggregator.items import PostingSeen, RawPosting

REQUIRED_FIELDS = ("url", "title", "source_id")


class ValidatePipeline:
    """Rejects items that cannot be stored; the run recorder keeps each with its URL and reason."""

    def __init__(self, crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: RawPosting | PostingSeen) -> RawPosting | PostingSeen:
        if isinstance(item, PostingSeen):
            return item
        missing = [name for name in REQUIRED_FIELDS if not (getattr(item, name, None) or "").strip()]
        if missing:
            self.stats.inc_value("aggregator/rejected")
            raise RejectedItem(f"missing {', '.join(missing)}")
        return item
