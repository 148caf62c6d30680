from aggregator.bases.api import ApiJobSpider
from aggregator.extract import himalayas


class HimalayasSpider(ApiJobSpider):
    """himalayas.app: newest first, 20 a page; follows ``nextCursor``, else ``offset`` (deprecated)
    until a short or empty page."""

    name = "himalayas"
    item_defaults = {"workplace": "remote"}  # a remote-only board: its postings are remote unless they say otherwise
    allowed_domains = ["himalayas.app"]
    api_url = "https://himalayas.app/jobs/api?limit=20"
    records_path = "jobs"
    cursor_path = "nextCursor"
    offset_param = "offset"
    total_path = "totalCount"
    limit_path = "limit"
    limit_param = "limit"
    # ~100k postings in all; a nightly crawl reads the newest 500 (-a max_pages=N for more).
    max_pages = 25
    terms = (
        "Free public API without a key; pages of at most 20 postings; heavy use is throttled "
        "(HTTP 429). We credit Himalayas by linking each posting to its himalayas.app page (guid)."
    )
    custom_settings = {"DOWNLOAD_DELAY": 3, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return himalayas.extract(record, self.context(response))
