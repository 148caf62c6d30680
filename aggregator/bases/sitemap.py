"""Boards that list every posting in sitemaps: robots.txt → sitemap index → shards → pages."""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from scrapy.utils.url import url_is_from_any_domain

from aggregator import repository
from aggregator.bases.base import LISTING_PROBLEMS
from aggregator.bases.shard import ShardedSpider
from aggregator.db import database
from aggregator.extract.context import Context
from aggregator.items import PostingSeen, RawPosting

# Sitemaps are fetched before postings so that the newest shard's postings are queued first.
SITEMAP_PRIORITY = 10


class SitemapJobSpider(ShardedSpider):
    """Subclasses set ``robots_url`` (or ``sitemap_urls``), ``posting_url_pattern`` and
    ``extract(record, response)``, where the record is the posting page's text."""

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
        # (newest shard first, newest posting first) rather than Scrapy's default LIFO. A shard's
        # postings are all queued at once: they wait packed (aggregator/bases/queues.py).
        settings.set("SCHEDULER_MEMORY_QUEUE", "aggregator.bases.queues.PackedFifoMemoryQueue", priority="spider")
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
                errback=self.on_sitemap_error,  # no robots.txt, no sitemaps: the listing is unread
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
        self.crawler.stats.inc_value(LISTING_PROBLEMS)
        self.on_fetch_error(failure)

    def parse_robots(self, response: Response) -> Iterable[scrapy.Request]:
        urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not urls:
            self.record_listing_problem(response.url, "robots.txt names no sitemap")
        for url in urls:
            yield self.sitemap_request(url)

    def sitemap_body(self, response: Response) -> bytes | None:
        """The sitemap's XML, inflated within DOWNLOAD_MAXSIZE when it is gzipped; None (and a
        listing problem) when it cannot be had."""
        if not gzip_magic_number(response):
            return response.body
        max_size = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
        try:
            # Inflated in chunks: past max_size it stops instead of filling memory.
            body = gunzip(response.body, max_size=max_size)
        except ValueError:  # Scrapy's "decompressed past max_size"
            self.record_listing_problem(
                response.url,
                f"gzipped sitemap inflates past DOWNLOAD_MAXSIZE ({max_size} bytes); not read",
            )
            return None
        except (OSError, EOFError, zlib.error) as exc:
            self.record_listing_problem(response.url, f"unreadable gzip: {exc}")
            return None
        warn_size = response.meta.get("download_warnsize", self.settings.getint("DOWNLOAD_WARNSIZE"))
        if warn_size and len(body) > warn_size:
            self.logger.warning("%s inflates to %d bytes (DOWNLOAD_WARNSIZE %d)", response.url, len(body), warn_size)
        return body

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        body = self.sitemap_body(response)
        if body is None:
            return
        try:
            sitemap = Sitemap(body)
            entries = list(sitemap)
        except Exception as exc:  # lxml raises several types on broken XML
            self.record_listing_problem(response.url, f"unreadable sitemap: {exc}")
            return
        if sitemap.type not in ("urlset", "sitemapindex"):
            self.record_listing_problem(response.url, f"not a sitemap: the document's root is <{sitemap.type}>")
            return
        if not entries:
            self.record_listing_problem(response.url, f"the sitemap ({sitemap.type}) lists nothing")
            return
        if broken := _xml_error(body):
            # Read what could be read, but a shard cut short may have lost postings: partial run.
            self.record_listing_problem(response.url, f"broken sitemap XML, {len(entries)} entries read: {broken}")
        # Newest first; entries without lastmod keep their order at the end.
        entries.sort(key=lambda entry: entry.get("lastmod") or "", reverse=True)
        if sitemap.type == "sitemapindex":
            for entry in entries:
                if self.off_site(entry["loc"]):
                    # Scrapy's offsite filter would drop it without a word: say so, and read the
                    # run as partial.
                    self.record_listing_problem(entry["loc"], "sitemap outside the board's domains; not fetched")
                    continue
                yield self.sitemap_request(entry["loc"])
            return
        pattern = re.compile(self.posting_url_pattern)
        for entry in entries:
            url = entry["loc"]
            if not pattern.search(url):
                self.crawler.stats.inc_value("aggregator/sitemap/non_posting_urls")
                continue
            self.crawler.stats.inc_value("aggregator/sitemap/posting_urls")
            if not self.owns(url):  # another part of a split crawl fetches it
                continue
            if self.off_site(url):
                self.record_problem(url, "fetch", "listed page outside the board's domains; not fetched")
                continue
            yield from self.posting_requests(url, entry)

    def off_site(self, url: str) -> bool:
        """Whether Scrapy's offsite filter would drop a request for ``url`` (silently)."""
        domains = [domain for domain in (getattr(self, "allowed_domains", None) or []) if domain]
        return bool(domains) and not url_is_from_any_domain(url, domains)

    def posting_requests(self, url: str, entry: dict[str, Any]) -> Iterable[scrapy.Request | PostingSeen]:
        lastmod = entry.get("lastmod")
        state = self.known.get(url)
        if state and lastmod and state.sitemap_lastmod == lastmod:
            # Listed as before: count it as seen without downloading it again.
            if state.gone:
                self.crawler.stats.inc_value("aggregator/incremental/skipped_gone")
                return
            self.crawler.stats.inc_value("aggregator/incremental/skipped_unchanged")
            yield PostingSeen(source=self.name, listed_url=url, posting_id=state.posting_id)
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
            meta={**meta, "posting_page": True},
            cb_kwargs={"sitemap_lastmod": lastmod},
        )

    def parse_posting(
        self, response: Response, sitemap_lastmod: str | None = None
    ) -> Iterable[RawPosting | PostingSeen]:
        listed_url = (response.request.meta.get("redirect_urls") or [response.url])[0]
        if response.status == 304:
            self.crawler.stats.inc_value("aggregator/incremental/not_modified")
            state = self.known.get(listed_url)
            yield PostingSeen(source=self.name, listed_url=listed_url, posting_id=state and state.posting_id)
            return
        if not response.body.strip():
            self.record_problem(listed_url, "extract", f"empty page (HTTP {response.status} with no content)")
            return
        if not isinstance(response, TextResponse):
            kind = (response.headers.get(b"Content-Type") or b"no Content-Type").decode("latin-1")
            self.record_problem(listed_url, "extract", f"not a web page ({kind})")
            return
        bad_bytes = _undecodable(response)
        try:
            item = self.extract(response.text, response)
        except Exception as exc:  # a page that breaks the extractor must not stop the crawl
            self.logger.exception("extractor failed on %s", response.url)
            self.record_problem(listed_url, "extract", f"{type(exc).__name__}: {exc}"[:500])
            return
        if item is None:
            self.crawler.stats.inc_value("aggregator/pages/no_posting")
            reason = "no job posting found on the page (no JobPosting data, no title)"
            if bad_bytes:
                reason = f"undecodable body: {bad_bytes}; no job posting found in what could be read"
            self.record_problem(listed_url, "extract", reason)
            return
        if bad_bytes:
            self.crawler.stats.inc_value("aggregator/pages/bad_bytes")
            self.logger.info("%s: %s (bad bytes replaced)", response.url, bad_bytes)
        item.listed_url = listed_url
        item.sitemap_lastmod = sitemap_lastmod
        item.etag = _header(response, b"ETag")
        item.last_modified = _header(response, b"Last-Modified")
        yield item

    def with_warnings(self, response: Response, item: RawPosting | None, context: Context) -> RawPosting | None:
        """A page extractor's item, with the warnings it left in ``context`` counted and logged."""
        for problem in context.warnings:
            self.crawler.stats.inc_value("aggregator/extract/warnings")
            self.logger.info("%s: %s", response.url, problem)
        return item


def _undecodable(response: TextResponse) -> str | None:
    """Why the body is not valid text in its own encoding, or None when it is."""
    try:
        response.body.decode(response.encoding)
    except UnicodeDecodeError as exc:
        return f"not valid {response.encoding} (first bad byte at offset {exc.start})"
    except LookupError:
        return f"unknown encoding {response.encoding!r}"
    return None


def _xml_error(body: bytes) -> str | None:
    """The first error a strict XML parser finds (Scrapy's Sitemap parses leniently), or None."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        return str(exc)[:300]
    return None


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
