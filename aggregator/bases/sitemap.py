"""Boards that list every posting in sitemaps: robots.txt → sitemap index → shards → pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from aggregator import repository
from aggregator.bases.base import JobSpider
from aggregator.db import database
from aggregator.items import PostingSeen, RawPosting

# Sitemaps are fetched before postings so that the newest shard's postings are queued first.
SITEMAP_PRIORITY = 10


class SitemapJobSpider(JobSpider):
    """Subclasses set ``robots_url`` (or ``sitemap_urls``), ``posting_url_pattern`` and ``extract``."""

    complete_listing = True
    # ``-a full=true``: download every listed page again (as FULL_RECRAWL).
    attribute_arguments = ("full",)
    robots_url: str | None = None
    sitemap_urls: tuple[str, ...] = ()
    posting_url_pattern: str = ""

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # First in, first out: postings are fetched in the order the spider queues them
        # (newest shard first, newest posting first) rather than Scrapy's default LIFO.
        settings.set("SCHEDULER_MEMORY_QUEUE", "scrapy.squeues.FifoMemoryQueue", priority="spider")
        settings.set("SCHEDULER_DISK_QUEUE", "scrapy.squeues.PickleFifoDiskQueue", priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        # Incremental by default: what we know of this board's pages decides what to fetch again.
        self.full_recrawl = self.settings.getbool("FULL_RECRAWL") or str(getattr(self, "full", "")).lower() in (
            "1", "true", "yes",
        )  # fmt: skip
        self.known: dict[str, repository.ListingState] = {}
        if not self.full_recrawl:
            self.known = repository.listing_state(database(self.settings["DATABASE_URL"]).engine, self.name)
        if self.robots_url:
            yield scrapy.Request(
                self.robots_url,
                callback=self.parse_robots,
                errback=self.on_fetch_error,
                priority=SITEMAP_PRIORITY,
            )
        for url in self.sitemap_urls:
            yield self.sitemap_request(url)

    def sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_sitemap, errback=self.on_sitemap_error, priority=SITEMAP_PRIORITY
        )

    def on_sitemap_error(self, failure) -> None:
        # A listing we could not read makes the run partial: it must not close unseen postings.
        self.crawler.stats.inc_value("aggregator/listing_problems")
        self.on_fetch_error(failure)

    def parse_robots(self, response: Response) -> Iterable[scrapy.Request]:
        urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not urls:
            self.record_problem(response.url, "fetch", "robots.txt names no sitemap")
        for url in urls:
            yield self.sitemap_request(url)

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        body = gunzip(response.body) if gzip_magic_number(response) else response.body
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several types on broken XML
            self.crawler.stats.inc_value("aggregator/listing_problems")
            self.record_problem(response.url, "fetch", f"unreadable sitemap: {exc}")
            return
        # Newest first; entries without lastmod keep their order at the end.
        entries = sorted(sitemap, key=lambda entry: entry.get("lastmod") or "", reverse=True)
        if sitemap.type == "sitemapindex":
            for entry in entries:
                yield self.sitemap_request(entry["loc"])
            return
        pattern = re.compile(self.posting_url_pattern)
        for entry in entries:
            url = entry["loc"]
            if not pattern.search(url):
                self.crawler.stats.inc_value("aggregator/sitemap/non_posting_urls")
                continue
            self.crawler.stats.inc_value("aggregator/sitemap/posting_urls")
            yield from self.posting_requests(url, entry)

    def posting_requests(self, url: str, entry: dict[str, Any]) -> Iterable[scrapy.Request | PostingSeen]:
        lastmod = entry.get("lastmod")
        state = self.known.get(url)
        if state and lastmod and state.sitemap_lastmod == lastmod:
            # Listed as before: count it as seen without downloading it again.
            if state.gone:
                self.crawler.stats.inc_value("aggregator/incremental/skipped_gone")
                return
            self.crawler.stats.inc_value("aggregator/incremental/skipped_unchanged")
            yield PostingSeen(source=self.name, listed_url=url)
            return
        headers, meta = {}, {}
        if state and not state.gone and (state.etag or state.last_modified):
            # Changed lastmod (or none): ask the server whether the page itself changed.
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
            meta["handle_httpstatus_list"] = [304]
        yield scrapy.Request(
            url,
            callback=self.parse_posting,
            errback=self.on_fetch_error,
            headers=headers,
            meta=meta,
            cb_kwargs={"sitemap_lastmod": lastmod},
        )

    def parse_posting(
        self, response: Response, sitemap_lastmod: str | None = None
    ) -> Iterable[RawPosting | PostingSeen]:
        listed_url = (response.request.meta.get("redirect_urls") or [response.url])[0]
        if response.status == 304:
            self.crawler.stats.inc_value("aggregator/incremental/not_modified")
            yield PostingSeen(source=self.name, listed_url=listed_url)
            return
        try:
            item, problems = self.extract(response)
        except Exception as exc:  # a page that breaks the extractor must not stop the crawl
            self.logger.exception("extractor failed on %s", response.url)
            self.record_problem(response.url, "extract", f"{type(exc).__name__}: {exc}"[:500])
            return
        for problem in problems:
            self.crawler.stats.inc_value("aggregator/extract/warnings")
            self.logger.info("%s: %s", response.url, problem)
        if item is None:
            self.crawler.stats.inc_value("aggregator/pages/no_posting")
            self.logger.info("no posting on %s", response.url)
            return
        item.listed_url = listed_url
        item.sitemap_lastmod = sitemap_lastmod
        item.etag = _header(response, b"ETag")
        item.last_modified = _header(response, b"Last-Modified")
        yield item

    def extract(self, response: Response) -> tuple[RawPosting | None, list[str]]:
        raise NotImplementedError


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
