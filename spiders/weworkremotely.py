from aggregator.bases.feed import FeedJobSpider
from aggregator.extract import weworkremotely

BASE = "https://weworkremotely.com"
CATEGORIES = ("remote-programming-jobs", "remote-back-end-programming-jobs", "remote-front-end-programming-jobs",
              "remote-full-stack-programming-jobs", "remote-devops-sysadmin-jobs", "remote-design-jobs",
              "remote-product-jobs", "remote-customer-support-jobs", "remote-sales-and-marketing-jobs",
              "remote-management-and-finance-jobs", "all-other-remote-jobs")  # fmt: skip


class WeWorkRemotelySpider(FeedJobSpider):
    """weworkremotely.com: the all-jobs feed (newest 100) and every category feed; no pagination."""

    name = "weworkremotely"
    item_defaults = {"workplace": "remote"}  # a remote-only board: its postings are remote unless they say otherwise
    allowed_domains = ["weworkremotely.com"]
    feed_urls = (f"{BASE}/remote-jobs.rss", *(f"{BASE}/categories/{slug}.rss" for slug in CATEGORIES))
    schedule = "0 2 * * *"
    terms = "Public RSS feeds (ttl 60 min), no API terms beyond the site's; link to the listing; each feed once a day"
    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return weworkremotely.extract(record, self.context(response))
