from aggregator.bases.api import ApiJobSpider
from aggregator.extract import arbeitnow


class ArbeitnowSpider(ApiJobSpider):
    """arbeitnow.com: 100 postings a page (key ``data``), newest first; follows ``links.next``."""

    name = "arbeitnow"
    allowed_domains = ["arbeitnow.com", "www.arbeitnow.com"]
    api_url = "https://www.arbeitnow.com/api/job-board-api"
    query_args = ("visa_sponsorship",)
    records_path = "data"
    next_url_path = "links.next"
    # Updated hourly; the newest 1,000 postings cover a day (-a max_pages=N for more).
    max_pages = 10
    terms = (
        "Free public API: 'please do not abuse'; linking back is appreciated; Arbeitnow.com's terms "
        "of service apply; rate limit 50 requests (x-ratelimit-limit)."
    )
    custom_settings = {"DOWNLOAD_DELAY": 2, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return arbeitnow.extract(record, self.context(response))
