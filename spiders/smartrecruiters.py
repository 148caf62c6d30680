import scrapy
from w3lib.url import add_or_replace_parameter

from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import smartrecruiters

API = "https://api.smartrecruiters.com/v1/companies"
PAGE_SIZE = 100


class SmartRecruitersSpider(AtsJobSpider):
    """Companies' SmartRecruiters boards (`-a boards=HireVue` or SMARTRECRUITERS_BOARDS; the
    identifier is case-sensitive): the postings list, 100 at a time, then each posting's detail."""

    name = "smartrecruiters"
    board_url = API + "/{token}/postings?limit=100&offset=0"
    boards_setting = "SMARTRECRUITERS_BOARDS"
    schedule = "20 2 * * *"
    terms = (
        "Public Posting API (no key for published postings; no published rate limit): "
        "list pages of 100 plus one detail request per posting, 1 request / s"
    )
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    max_pages = 20  # 2,000 postings per company
    attribute_arguments = ("max_pages",)

    def records(self, data):
        content = data.get("content") if isinstance(data, dict) else None
        return content if isinstance(content, list) else None

    def next_pages(self, response, data, records, token, company, page=1, **_):
        offset = int(data.get("offset") or 0) + len(records)
        total = data.get("totalFound")
        if len(records) < PAGE_SIZE or (isinstance(total, int) and offset >= total):
            return
        if int(page) >= int(self.max_pages):
            self.crawler.stats.set_value("aggregator/ats/max_pages_reached", page)
            return
        url = add_or_replace_parameter(response.url, "offset", str(offset))
        yield scrapy.Request(url, callback=self.parse_board, errback=self.on_listing_error,
                             cb_kwargs={"token": token, "company": company, "page": int(page) + 1})  # fmt: skip

    def detail_url(self, record, board):
        posting_id = str(record.get("id") or "").strip()  # none: the list entry alone, which validation rejects
        return (record.get("ref") or f"{API}/{board.token}/postings/{posting_id}") if posting_id else None

    def extract(self, record, response):
        return smartrecruiters.extract(record, self.context(response))
