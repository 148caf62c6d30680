from aggregator.bases.feed import FeedJobSpider
from aggregator.extract.wpjobmanager import extract_item


class JobspressoSpider(FeedJobSpider):
    """jobspresso.co: the WP Job Manager job feed (newest postings, no pagination)."""

    name = "jobspresso"
    allowed_domains = ["jobspresso.co"]
    feed_urls = ("https://jobspresso.co/?feed=job_feed",)
    item_defaults = {"workplace": "remote"}  # a remote-only board
    schedule = "45 2 * * *"
    terms = "Public RSS job feed, no API terms beyond the site's; link each posting to Jobspresso; once a day"
    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return extract_item(record, self.name)
