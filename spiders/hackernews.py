"""Hacker News "Ask HN: Who is hiring?": the newest monthly thread(s), one posting per top-level comment."""

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from w3lib.url import add_or_replace_parameter

from aggregator.bases.api import ApiJobSpider, _positive_int, _query_value
from aggregator.bases.feed import LISTING_PROBLEMS, split_list
from aggregator.extract import hackernews
from aggregator.extract.hackernews import is_hiring_thread, thread_comments

API = "https://hn.algolia.com/api/v1"
# Stories by the `whoishiring` account (and its old spelling), newest first.
SEARCH_URL = f"{API}/search_by_date?page=0&query=hiring&tags=story%2C%28author__whoishiring%2C+author_whoishiring%29"
THREAD_URL = API + "/items/{id}"
MAX_SEARCH_PAGES = 10


class HackerNewsSpider(ApiJobSpider):
    """`-a months=N` (default 1) newest threads, found through the Algolia HN search; `-a threads=ID,ID`
    reads given threads instead. Replies to a posting are not postings; deleted comments are counted."""

    name = "hackernews"
    allowed_domains = ["hn.algolia.com"]
    api_url = SEARCH_URL
    schedule = "0 18 * * *"  # threads open on the 1st at 15:00 UTC and fill up for days
    terms = (
        "Algolia HN Search API: public, no key, 10,000 requests per hour per IP; HN content belongs to "
        "its authors — link every posting to its comment; one search and one thread request a day"
    )
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    months = 1
    attribute_arguments = ("months", "threads")
    threads = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.months = _positive_int(self.months, "months")
        self.threads_found: list[dict] = []

    async def start(self) -> AsyncIterator[Any]:
        if self.threads:
            for thread_id in split_list(self.threads):
                yield self.thread_request(thread_id)
            return
        url = self.first_urls()[0]  # -a url=… starts at another search page
        page = int(_query_value(url, "page") or 0)
        yield scrapy.Request(url, callback=self.parse_search, errback=self.on_listing_error,
                             cb_kwargs={"page": page})  # fmt: skip

    def thread_request(self, thread_id: Any) -> scrapy.Request:
        return scrapy.Request(THREAD_URL.format(id=thread_id), callback=self.parse_thread,
                              errback=self.on_listing_error)  # fmt: skip

    def on_listing_error(self, failure) -> None:
        self.crawler.stats.inc_value(LISTING_PROBLEMS)
        self.on_fetch_error(failure)

    def parse_search(self, response, page: int = 0):
        data = self.decode(response)
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            self.crawler.stats.inc_value(LISTING_PROBLEMS)
            if data is not None:
                self.record_problem(response.url, "parse", "no list of hits in the search response")
            return
        self.threads_found += [hit for hit in hits if isinstance(hit, dict) and is_hiring_thread(hit)]
        pages = data.get("nbPages")
        more = hits and (not isinstance(pages, int) or page + 1 < pages) and page + 1 < MAX_SEARCH_PAGES
        if len(self.threads_found) < self.months and more:
            url = add_or_replace_parameter(response.url, "page", str(page + 1))
            yield scrapy.Request(url, callback=self.parse_search, errback=self.on_listing_error,
                                 cb_kwargs={"page": page + 1})  # fmt: skip
            return
        newest = sorted(self.threads_found, key=lambda hit: hit.get("created_at_i") or 0, reverse=True)
        if not newest:
            self.record_problem(response.url, "parse", "no 'Ask HN: Who is hiring?' thread in the search results")
        self.crawler.stats.set_value("aggregator/hackernews/threads", min(len(newest), self.months))
        for hit in newest[: self.months]:
            self.logger.info("thread %s: %s", hit.get("objectID"), hit.get("title"))
            yield self.thread_request(hit.get("objectID"))

    def parse_thread(self, response):
        stats = self.crawler.stats
        thread = self.decode(response)
        if not isinstance(thread, dict) or not isinstance(thread.get("children"), list):
            stats.inc_value(LISTING_PROBLEMS)
            if thread is not None:
                self.record_problem(response.url, "parse", "not an HN item tree (no children list)")
            return
        for comment in thread_comments(thread):
            stats.inc_value("aggregator/hackernews/top_level_comments")
            try:
                item = self.extract(comment, response)
            except Exception as exc:  # one unreadable comment must not cost the thread
                self.record_problem(response.url, "extract", f"comment {comment.get('id')}: {exc}"[:500], comment)
                continue
            if item is None:
                stats.inc_value("aggregator/hackernews/deleted_comments")
                continue
            yield item

    def extract(self, record, response):
        return hackernews.extract(record, self.context(response))
