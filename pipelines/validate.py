from aggregator.exceptions import RejectedItem
from aggregator.items import PostingSeen, RawPosting
from aggregator.normalise.urls import web_url

REQUIRED_FIELDS = ("url", "title", "source_id")

URL_PROBLEMS = {
    "not_http": "url is not an http(s) web page",
    "relative_without_base": "url is relative and there is no page to resolve it against",
}


class ValidatePipeline:
    """Rejects items that cannot be stored; the run recorder keeps each with its URL and reason.

    A posting's ``url`` must be an absolute http(s) URL: a relative one is resolved against the
    URL the board lists the posting under; ``javascript:``, ``data:`` and other schemes reject it.
    """

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
        url, problem = web_url(item.url, item.listed_url)
        if problem:
            self.stats.inc_value("aggregator/rejected")
            self.stats.inc_value(f"aggregator/validate/url_{problem}")
            raise RejectedItem(f"{URL_PROBLEMS[problem]}: {item.url.strip()[:200]}")
        if url != item.url:
            self.stats.inc_value("aggregator/validate/url_resolved")
            item.url = url
        return item
