from aggregator.bases.api import ApiJobSpider
from aggregator.extract import remoteok


class RemoteOKSpider(ApiJobSpider):
    """remoteok.com: one JSON array of the ~100 newest postings (a legal notice first); no paging."""

    name = "remoteok"
    item_defaults = {"workplace": "remote"}  # a remote-only board: its postings are remote unless they say otherwise
    allowed_domains = ["remoteok.com"]
    api_url = "https://remoteok.com/api"
    query_args = ("tag",)
    terms = (
        "Link back to each posting's Remote OK URL (a followed link, no nofollow) and name Remote OK "
        "as the source, or API access is suspended; don't use its logo. robots.txt: Crawl-delay 1."
    )
    custom_settings = {"DOWNLOAD_DELAY": 2, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return remoteok.extract(record, self.context(response))
