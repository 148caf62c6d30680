"""Boards with a JSON API: fetch a page, find its records, page on; one RawPosting per record.

A board spider sets ``api_url`` (the first page), ``records_path`` (where the list of records is),
how the API pages (a next-page link, a cursor, an offset or a page number; none for one-shot
APIs), and ``extract`` (one record → a RawPosting). Everything that can go wrong is counted and stored, never fatal:
an undecodable body, a page without a records list, a record that breaks the extractor.

Spider arguments (``-a name=value``):

* ``url`` — crawl this first page instead of ``api_url`` (another mirror, a filtered listing);
* ``max_pages`` — stop after this many pages (each board has a polite default);
* the names in ``query_args`` — sent as query parameters (``-a tag=python`` → ``?tag=python``).
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameter, add_or_replace_parameters, url_query_cleaner

from aggregator.bases.base import LISTING_PROBLEMS, JobSpider
from aggregator.extract.jsonld import JsonLdError, loads_lenient
from aggregator.extract.page import dig
from aggregator.items import RawPosting

NIGHTLY = "0 2 * * *"


def _positive_int(value: Any, name: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"spider argument {name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ValueError(f"spider argument {name} must be at least 1, not {number}")
    return number


def _query_value(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[-1] if values else None


class ApiJobSpider(JobSpider):
    """Base of the JSON API boards. Subclasses set the class attributes below and ``extract``."""

    # The first page; ``-a url=…`` replaces it.
    api_url: str = ""
    # Spider arguments that are passed on to the API as query parameters when given.
    query_args: tuple[str, ...] = ()
    # Dotted path to the list of records in the body (None: the body is the list). A body that is
    # a bare list is always taken as the records, whatever the path says.
    records_path: str | None = None
    # Pagination, in order of preference; leave all unset for APIs that answer in one response.
    next_url_path: str | None = None  # dotted path to the next page's URL (null/missing = last page)
    cursor_path: str | None = None  # dotted path to an opaque cursor, sent back as ``cursor_param``
    cursor_param: str = "cursor"
    offset_param: str | None = None  # next page = this offset + the records received
    total_path: str | None = None  # dotted path to the total count, to stop offset paging in time
    # Offset paging also stops on a short page: fewer records than the page size the body states
    # (``limit_path``) or, failing that, the one the request asked for (``limit_param``).
    limit_path: str | None = None
    limit_param: str | None = None
    page_param: str | None = None  # next page = this page number + 1 (1-based)
    # Pages per crawl (``-a max_pages=N``): a nightly crawl needs the newest postings, not the archive.
    max_pages: int = 1
    attribute_arguments = ("url", "max_pages")

    # When the scheduler runs this board (cron), and the board's terms in one line (for the README).
    schedule: str = NIGHTLY
    terms: str = ""

    @classmethod
    def accepted_arguments(cls) -> list[str]:
        return sorted({*super().accepted_arguments(), *cls.query_args})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # -a values arrive as strings and shadow the class attributes; nothing class-level is mutated.
        self.max_pages = _positive_int(self.max_pages, "max_pages")
        self.pages_requested: set[str] = set()
        if getattr(self, "url", None) or any(getattr(self, name, None) for name in self.query_args):
            self.complete_listing = False  # a filtered listing is not the whole board

    # -- requests ------------------------------------------------------------------------------

    def first_urls(self) -> list[str]:
        url = getattr(self, "url", None) or self.api_url
        params = {}
        for name in self.query_args:
            value = getattr(self, name, None)
            if value is not None and str(value) != "":
                params[name] = str(value)
        return [add_or_replace_parameters(url, params) if params else url]

    async def start(self) -> AsyncIterator[Any]:
        for url in self.first_urls():
            yield self.page_request(url, page=1)

    def page_request(self, url: str, page: int) -> scrapy.Request:
        self.pages_requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_listing_error,
            headers={"Accept": "application/json"},
            cb_kwargs={"page": page},
        )

    def on_listing_error(self, failure) -> None:
        # A page of the listing we could not read makes the run partial: it closes nothing.
        self.crawler.stats.inc_value(LISTING_PROBLEMS)
        self.on_fetch_error(failure)

    # -- responses -----------------------------------------------------------------------------

    def decode(self, response: Response) -> Any:
        """The JSON body, leniently: a UTF-8 BOM is dropped, bad bytes are replaced (and counted),
        JSON with browser-grade sloppiness is read with JSON5 rules. None when nothing could be read."""
        body = response.body
        if body.startswith(codecs.BOM_UTF8):
            body = body[len(codecs.BOM_UTF8) :]
            self.crawler.stats.inc_value("aggregator/api/utf8_bom")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = body.decode("utf-8", errors="replace")
            self.record_problem(response.url, "parse", f"invalid UTF-8 bytes (first at offset {exc.start})")
        if not text.strip():
            self.record_problem(response.url, "parse", "empty response body")
            return None
        try:
            return loads_lenient(text)
        except JsonLdError as exc:
            self.record_problem(response.url, "parse", f"unreadable JSON: {exc}"[:500])
            return None

    def find_records(self, data: Any) -> list[Any] | None:
        if isinstance(data, list):
            return data
        records = dig(data, self.records_path) if self.records_path else None
        return records if isinstance(records, list) else None

    def parse_page(self, response: Response, page: int = 1) -> Iterable[RawPosting | scrapy.Request]:
        stats = self.crawler.stats
        data = self.decode(response)
        if data is None:
            stats.inc_value(LISTING_PROBLEMS)  # decode() stored the reason
            return
        records = self.find_records(data)
        if records is None:
            where = self.records_path or "the top level"
            stats.inc_value(LISTING_PROBLEMS)
            self.record_problem(response.url, "parse", f"no list of records at {where}")
            return
        stats.inc_value("aggregator/api/pages")
        stats.inc_value("aggregator/api/records", len(records))
        for index, record in enumerate(records):
            try:
                item = self.extract(record, response)
            except Exception as exc:  # a record that breaks the extractor must not cost the others
                self.logger.debug("extractor failed on record %d of %s", index, response.url, exc_info=True)
                url = record.get("url") if isinstance(record, dict) else None
                self.record_problem(
                    url if isinstance(url, str) and url else response.url,
                    "extract",
                    f"record {index}: {type(exc).__name__}: {exc}"[:500],
                    payload=record,
                )
                continue
            if item is None:
                stats.inc_value("aggregator/api/skipped_records")
                continue
            yield item
        if not records:
            if page == 1:  # later pages end empty when the listing runs out; the first never should
                self.record_listing_problem(response.url, "the API's first page lists no records")
            else:
                self.logger.info("empty page at %s: last page", response.url)
            return
        next_url = self.next_page_url(response, data, records)
        if not next_url or next_url in self.pages_requested:
            return
        if page >= self.max_pages:
            stats.set_value("aggregator/api/max_pages_reached", page)
            self.logger.info("stopping after %d pages (max_pages); next would be %s", page, next_url)
            return
        yield self.page_request(next_url, page + 1)

    def next_page_url(self, response: Response, data: Any, records: list[Any]) -> str | None:
        """The next page's URL per the class's pagination attributes, or None on the last page."""
        envelope = data if isinstance(data, dict) else {}
        if self.next_url_path:
            link = dig(envelope, self.next_url_path)
            return response.urljoin(link.strip()) if isinstance(link, str) and link.strip() else None
        if self.cursor_path:
            cursor = dig(envelope, self.cursor_path)
            if isinstance(cursor, (str, int)) and not isinstance(cursor, bool) and str(cursor).strip():
                url = response.url
                if self.offset_param:
                    url = url_query_cleaner(url, (self.offset_param,), remove=True, keep_fragments=True)
                return add_or_replace_parameter(url, self.cursor_param, str(cursor).strip())
        if self.offset_param and _query_value(response.url, self.cursor_param) is None:
            try:
                offset = int(_query_value(response.url, self.offset_param) or 0) + len(records)
            except ValueError:
                return None
            total = dig(envelope, self.total_path) if self.total_path else None
            if isinstance(total, int) and not isinstance(total, bool) and offset >= total:
                return None
            if len(records) < self.page_size(response, envelope):
                return None
            return add_or_replace_parameter(response.url, self.offset_param, str(offset))
        if self.page_param:
            try:
                number = int(_query_value(response.url, self.page_param) or 1)
            except ValueError:
                return None
            return add_or_replace_parameter(response.url, self.page_param, str(number + 1))
        return None

    def page_size(self, response: Response, envelope: dict[str, Any]) -> int:
        """The page size in force: the body's own ``limit_path``, else the request's ``limit_param``."""
        stated = dig(envelope, self.limit_path) if self.limit_path else None
        if isinstance(stated, int) and not isinstance(stated, bool) and stated > 0:
            return stated
        asked = _query_value(response.url, self.limit_param) if self.limit_param else None
        return int(asked) if asked and asked.isdigit() and int(asked) > 0 else 0
