from aggregator.bases.feed import FeedJobSpider
from aggregator.extract import nodesk


class NoDeskSpider(FeedJobSpider):
    """nodesk.co: the remote-jobs RSS feed (newest postings, no pagination)."""

    name = "nodesk"
    allowed_domains = ["nodesk.co"]
    feed_urls = ("https://nodesk.co/remote-jobs/index.xml",)
    item_defaults = {"workplace": "remote"}  # every NoDesk job is remote
    schedule = "40 2 * * *"
    terms = "Public RSS feed, no API terms beyond the site's; link each posting to its NoDesk page; once a day"
    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return nodesk.extract(record, self.context(response))
