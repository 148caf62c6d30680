from aggregator.items import NormalisedPosting, PostingSeen, RawPosting
from aggregator.normalise.defaults import check_item_defaults
from aggregator.normalise.posting import normalise_posting


class NormalisePipeline:
    """Raw strings → typed, cleaned columns (all the logic lives in aggregator.normalise)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.item_defaults: dict = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        # The board's defaults for its items (e.g. a remote-only board's workplace).
        self.item_defaults = check_item_defaults(getattr(self.crawler.spider, "item_defaults", None))

    def process_item(self, item: RawPosting | PostingSeen) -> NormalisedPosting | PostingSeen:
        if isinstance(item, PostingSeen):
            return item
        posting = normalise_posting(item, self.item_defaults)
        if posting.salary_raw and posting.salary_min is None and posting.salary_max is None:
            self.stats.inc_value("aggregator/normalise/salary_unparsed")
        if posting.location_raw and posting.workplace == "unknown" and not posting.countries:
            self.stats.inc_value("aggregator/normalise/location_unparsed")
        return posting
