from aggregator.bases.api import ApiJobSpider
from aggregator.extract import jobicy


class JobicySpider(ApiJobSpider):
    """jobicy.com API v2: the newest ``count`` postings in one response (key ``jobs``); no paging."""

    name = "jobicy"
    item_defaults = {"workplace": "remote"}  # a remote-only board: its postings are remote unless they say otherwise
    allowed_domains = ["jobicy.com"]
    api_url = "https://jobicy.com/api/v2/remote-jobs?count=100"
    query_args = ("count", "geo", "industry", "tag")
    records_path = "jobs"
    terms = (
        "Credit Jobicy with a direct link to the source, and send every application button to the "
        "original Jobicy job URL given in the feed."
    )
    custom_settings = {"DOWNLOAD_DELAY": 5, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return jobicy.extract(record, self.context(response))
