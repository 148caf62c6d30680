"""Companies' applicant-tracking-system boards (Greenhouse, Lever, Ashby): one JSON request per board,
and for boards whose list lacks part of the posting (``detail_url``) one detail request per posting.

Which companies to crawl is configuration, never code: ``-a boards=gitlab,canonical`` on the
command line, else the spider's ``boards_setting`` Scrapy setting (``GREENHOUSE_BOARDS`` …), which
may be a comma-separated string, a list, or a ``{token: company name}`` mapping. An entry may name
the company: ``-a "boards=gitlab,matchgroup=Match Group"``. A posting's company is the name the API
gives, else the configured name, else the board token.

With no boards configured the spider says so in the log and makes no request at all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.bases.base import LISTING_PROBLEMS
from aggregator.bases.feed import split_list
from aggregator.bases.shard import ShardedSpider
from aggregator.extract.context import Context
from aggregator.items import RawPosting


def parse_boards(value: Any) -> dict[str, str | None]:
    """Board configuration → ``{token: company name or None}``, in the order given."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            value = json.loads(value)  # -s GREENHOUSE_BOARDS='{"gitlab": "GitLab"}'
        except ValueError:
            pass
    if isinstance(value, Mapping):
        return {str(token).strip(): (str(name).strip() or None) if name else None
                for token, name in value.items() if str(token).strip()}  # fmt: skip
    boards: dict[str, str | None] = {}
    for entry in split_list(value):
        token, _, name = entry.partition("=")
        if token.strip():
            boards[token.strip()] = name.strip() or None
    return boards


@dataclass(frozen=True)
class Board:
    """The company board a record came from: its token (as configured) and the company's name
    (configured, else the board's own, else None): ``response.meta["board"]``, read by ``context``."""

    token: str
    company: str | None


class AtsJobSpider(ShardedSpider):
    """Subclasses set ``board_url`` (with ``{token}``), ``boards_setting``, ``records`` and ``extract``;
    boards with detail pages also ``detail_url`` (and ``detail_headers``)."""

    enabled_by_default = False  # needs board tokens (-a boards=… or [boards.NAME] arguments)

    board_url: str = ""
    boards_setting: str = ""
    # Headers of the detail requests of boards that declare ``detail_url``.
    detail_headers: Mapping[str, str] = {}

    def __init__(self, *args: Any, boards: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.boards_argument = boards

    def configured_boards(self) -> dict[str, str | None]:
        if self.boards_argument is not None:
            return parse_boards(self.boards_argument)
        return parse_boards(self.crawler.settings.get(self.boards_setting))

    async def start(self) -> AsyncIterator[Any]:
        boards = self.configured_boards()
        if self.shard is not None:  # a part of a split crawl: its slice of the companies
            configured = len(boards)
            boards = dict(self.shard.slice(list(boards.items())))
            if configured and not boards:
                self.logger.info("%s part %s: fewer companies (%d) than parts", self.name, self.shard, configured)
                return
        self.crawler.stats.set_value("aggregator/ats/boards", len(boards))
        if not boards:
            self.logger.warning(
                "%s: no boards configured, nothing to crawl. Pass -a boards=TOKEN,TOKEN or set the %s "
                "setting (the board token is the company's slug in its %s job-board URL).",
                self.name, self.boards_setting, self.name,
            )  # fmt: skip
            return
        for token, company in boards.items():
            try:
                yield self.board_request(token, company)
            except ValueError as exc:  # a board entry the spider cannot turn into a URL
                self.crawler.stats.inc_value(LISTING_PROBLEMS)
                self.record_problem(token, "fetch", f"bad board entry: {exc}"[:500])

    def board_request(self, token: str, company: str | None, **cb_kwargs: Any) -> scrapy.Request:
        """The request for a board's first listing page (POST APIs and paging override this)."""
        return scrapy.Request(
            self.board_url.format(token=quote(token, safe="")),
            callback=self.parse_board,
            errback=self.on_listing_error,
            cb_kwargs={"token": token, "company": company, **cb_kwargs},
        )

    def on_listing_error(self, failure) -> None:
        # A board we could not read makes the run partial: it must not close postings it did not see.
        self.crawler.stats.inc_value(LISTING_PROBLEMS)
        self.on_fetch_error(failure)

    def load(self, response: Response) -> Any:
        """The decoded body (JSON here; XML feeds override). Raises ValueError when unreadable."""
        try:
            return json.loads(response.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"unreadable JSON: {exc}") from exc

    def parse_board(
        self, response: Response, token: str, company: str | None, **page: Any
    ) -> Iterable[RawPosting | scrapy.Request]:
        stats = self.crawler.stats
        try:
            data = self.load(response)
        except ValueError as exc:
            self.record_listing_problem(response.url, str(exc)[:500])
            return
        records = self.records(data)
        if records is None:
            self.record_listing_problem(response.url, f"unexpected JSON shape: {type(data).__name__}")
            return
        stats.inc_value("aggregator/ats/records", len(records))
        # Only an empty first page says the board lists nothing: a later page may be empty when the
        # total is a multiple of the page size.
        first_page = int(page.get("page") or 1) <= 1 and not any(v for k, v in page.items() if k != "page")
        if not records and first_page:
            self.record_listing_problem(response.url, f"the {self.name} board {token!r} lists no postings")
        # The board's own name for the company (Workable's account name) stands in for a configured one.
        company = company or self.board_company(data)
        response.meta["board"] = Board(token, company)
        response.meta["detail"] = None
        for record in records:
            if not isinstance(record, dict):
                self.record_problem(response.url, "extract", "a job record is not an object", record)
                continue
            yield from self.posting(record, response, listed=True)
        if records:
            yield from self.next_pages(response, data, records, token, company, **page)

    def board_company(self, data: Any) -> str | None:
        """The company name a board response states once for all its postings, if any."""
        return None

    def detail_url(self, record: dict, board: Board) -> str | None:
        """The URL of a listed record's detail page, for boards whose list lacks part of the posting
        (one detail request per posting); None, the default, extracts the record from the list alone."""
        return None

    def posting(self, record: dict, response: Response, *, listed: bool) -> Iterable[RawPosting | scrapy.Request]:
        """A record's detail request (a listed record with a detail page), else what ``extract`` makes
        of it; what either raises is stored as a reject, a record ``extract`` skips is counted."""
        board = response.meta["board"]
        try:
            url = self.detail_url(record, board) if listed else None
            item = self.detail_request(url, record, board) if url else self.extract(record, response)
        except Exception as exc:  # one broken record must not cost the rest of the board
            self.logger.exception("extractor failed on a record of %s", response.url)
            self.record_problem(response.url, "extract", f"{type(exc).__name__}: {exc}"[:500], record)
            return
        if item is None:
            self.crawler.stats.inc_value("aggregator/ats/skipped_records")
            return
        yield item

    def detail_request(self, url: str, record: dict, board: Board) -> scrapy.Request:
        """The request for a listed record's detail page; the record and board ride along in meta."""
        return scrapy.Request(
            url, headers=self.detail_headers, callback=self.parse_detail, errback=self.on_detail_error,
            meta={"board": board, "record": record},
        )  # fmt: skip

    def parse_detail(self, response: Response) -> Iterable[RawPosting | scrapy.Request]:
        response.meta["detail"] = self.detail_json(response)
        yield from self.posting(response.meta["record"], response, listed=False)

    def on_detail_error(self, failure: Failure) -> Iterable[RawPosting | scrapy.Request]:
        # The posting is still listed: store it from its list entry, and the failed detail as a problem.
        self.on_fetch_error(failure)
        request = failure.request
        # ``extract`` reads its context from response.meta: the error page when the server sent one,
        # else a bodiless response carrying the request's meta.
        response = getattr(failure.value, "response", None)
        if not isinstance(response, Response):
            response = Response(request.url, request=request)
        response.meta["detail"] = None
        yield from self.posting(request.meta["record"], response, listed=False)

    def detail_json(self, response: Response) -> dict | None:
        """A detail response's JSON object; None (the problem stored) when it is unreadable or not an
        object, so that the posting is stored from its list entry instead."""
        try:
            detail = json.loads(response.body.decode("utf-8-sig"))
        except ValueError as exc:
            self.record_problem(response.url, "fetch", f"unreadable detail JSON: {exc}"[:500])
            return None
        if not isinstance(detail, dict):
            self.record_problem(response.url, "fetch", f"detail JSON is not an object: {type(detail).__name__}")
            return None
        return detail

    def next_pages(
        self, response: Response, data: Any, records: list, token: str, company: str | None, **page: Any
    ) -> Iterable[scrapy.Request]:
        """Requests for the board's further listing pages (paged APIs override this)."""
        return ()

    def records(self, data: Any) -> list | None:
        """The job records of a board response; None when the shape is not the API's."""
        jobs = data.get("jobs") if isinstance(data, dict) else None
        return jobs if isinstance(jobs, list) else None

    def context(self, response: Response) -> Context:
        """The company board a record came from, and the posting's detail document (None without one)."""
        board = response.meta["board"]
        return Context(url=response.url, board=board.token, company=board.company, detail=response.meta["detail"])
