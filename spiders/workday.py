import json

import scrapy

from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import workday
from aggregator.extract.workday import is_stub, parse_site

PAGE_SIZE = 20  # the CXS API refuses larger pages


class WorkdaySpider(AtsJobSpider):
    """Companies' Workday career sites: the CXS jobs search, 20 per page, then each job's detail.

    A board is `host/tenant/site` (`gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site`) or the
    public careers URL (`https://gdit.wd5.myworkdayjobs.com/en-US/External_Career_Site`); the host
    shard (wd1, wd5 …) and the site name cannot be derived from the company. `-a boards=…` or the
    WORKDAY_BOARDS setting (with `=Company Name` to name the company).
    """

    name = "workday"
    board_url = "https://{token}"
    boards_setting = "WORKDAY_BOARDS"
    schedule = "55 2 * * *"
    terms = (
        "Undocumented JSON API of Workday's public career sites (no key; bursts are blocked): "
        "pages of 20 plus one detail request per job, 1 request / 2 s, at most max_pages pages"
    )
    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    detail_headers = {"Accept": "application/json"}
    max_pages = 25  # 500 postings per site a night
    search_text = ""
    attribute_arguments = ("max_pages", "search_text")

    def board_request(self, token, company, offset=0, page=1, **_):
        site = parse_site(token)
        body = {"appliedFacets": {}, "limit": PAGE_SIZE, "offset": offset, "searchText": self.search_text}
        return scrapy.Request(
            site.search_url, method="POST", body=json.dumps(body), dont_filter=True,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            callback=self.parse_board, errback=self.on_listing_error,
            cb_kwargs={"token": token, "company": company, "offset": offset, "page": page},
        )  # fmt: skip

    def records(self, data):
        postings = data.get("jobPostings") if isinstance(data, dict) else None
        return postings if isinstance(postings, list) else None

    def next_pages(self, response, data, records, token, company, offset=0, page=1, **_):
        offset = int(offset) + len(records)
        total = data.get("total")
        if len(records) < PAGE_SIZE or (isinstance(total, int) and offset >= total):
            return
        if int(page) >= int(self.max_pages):
            self.crawler.stats.set_value("aggregator/ats/max_pages_reached", page)
            return
        yield self.board_request(token, company, offset=offset, page=int(page) + 1)

    def detail_url(self, record, board):
        path = record.get("externalPath")  # none: the search entry alone (a stub is skipped)
        return parse_site(board.token).detail_url(path) if path and not is_stub(record) else None

    def extract(self, record, response):
        if is_stub(record):
            return None
        return workday.extract(record, self.context(response))
