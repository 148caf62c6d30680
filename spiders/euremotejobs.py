from aggregator.bases.feed import FeedJobSpider
from aggregator.extract.wpjobmanager import extract_item


class EuRemoteJobsSpider(FeedJobSpider):
    """euremotejobs.com: the WP Job Manager job feed (``/feed/`` is the blog, not jobs)."""

    name = "euremotejobs"
    allowed_domains = ["euremotejobs.com"]
    feed_urls = ("https://euremotejobs.com/?feed=job_feed",)
    item_defaults = {"workplace": "remote"}  # a remote board (a few field jobs slip in: their text says so)
    schedule = "50 2 * * *"
    terms = "Public RSS job feed, no API terms beyond the site's; link each posting to EU Remote Jobs; once a day"
    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return extract_item(record, self.name)
