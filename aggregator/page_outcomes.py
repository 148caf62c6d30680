"""Every fetched posting page ends as a stored posting or a reject: the paths Scrapy keeps quiet.

Three ways a page can vanish without an errback or an item reaching the store:

* the duplicate filter drops a redirect whose target this crawl has already requested (a moved
  posting whose new URL is listed too) — the ``request_dropped`` signal;
* the deduplicate pipeline drops a second page carrying a posting already scraped in this crawl
  (``DuplicateItem``) — the ``item_dropped`` signal;
* a callback raises past its own guards — the ``spider_error`` signal.

Each becomes a reject through the spider's ``record_problem``, so the run recorder stores it.
Posting-page requests carry ``meta["posting_page"] = True`` (set by the base spiders).
"""

from __future__ import annotations

from scrapy import signals

from aggregator.exceptions import DuplicateItem


class PageOutcomes:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        outcomes = cls(crawler)
        crawler.signals.connect(outcomes.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(outcomes.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(outcomes.spider_error, signal=signals.spider_error)
        return outcomes

    def _record(self, spider, url, stage: str, reason: str, payload=None) -> None:
        record = getattr(spider, "record_problem", None)
        if record is not None:
            record(url, stage, reason, payload)

    def request_dropped(self, request, spider) -> None:
        redirects = request.meta.get("redirect_urls")
        if not request.meta.get("posting_page") or not redirects:
            return  # a URL listed twice: fetched once, its outcome is that fetch's
        self.crawler.stats.inc_value("aggregator/pages/redirected_to_known_page")
        self._record(
            spider,
            redirects[0],
            "fetch",
            f"redirects to {request.url}, a page this crawl already fetched (its outcome is recorded there)",
        )

    def item_dropped(self, item, response, exception, spider) -> None:
        if not isinstance(exception, DuplicateItem):
            return
        url = getattr(item, "listed_url", None) or getattr(item, "url", None)
        payload = {name: getattr(item, name, None) for name in ("source", "source_key", "url", "listed_url")}
        reason = f"the same posting as another page of this crawl ({exception})"
        self._record(spider, url, "deduplicate", reason, payload)

    def spider_error(self, failure, response, spider) -> None:
        request = getattr(response, "request", None)
        if request is None or not request.meta.get("posting_page"):
            return
        reason = f"the spider failed on this page: {failure.type.__name__}: {failure.getErrorMessage()}"
        self._record(spider, (request.meta.get("redirect_urls") or [response.url])[0], "extract", reason[:500])
