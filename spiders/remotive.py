from aggregator.bases.api import ApiJobSpider
from aggregator.extract import remotive


class RemotiveSpider(ApiJobSpider):
    """remotive.com: every current posting in one response (key ``jobs``); no paging, one request a day."""

    name = "remotive"
    item_defaults = {"workplace": "remote"}  # a remote-only board: its postings are remote unless they say otherwise
    allowed_domains = ["remotive.com"]
    api_url = "https://remotive.com/api/remote-jobs"
    query_args = ("category", "search", "company_name", "limit")
    records_path = "jobs"
    # The API allows "a couple of times a day (max. 4)"; jobs appear 24 h late anyway: once a day.
    schedule = "15 6 * * *"
    complete_listing = True  # one response carries every current posting
    terms = (
        "Link back to the Remotive URL and name Remotive as the source; don't pass its jobs on to "
        "third-party sites (Jooble, Neuvoo, Google Jobs, LinkedIn Jobs); at most 4 requests a day, "
        "jobs are delayed 24 h, excessive requests are blocked."
    )
    custom_settings = {
        "DOWNLOAD_DELAY": 60,
        "AUTOTHROTTLE_START_DELAY": 60,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        # Each retry is another request against the daily allowance.
        "RETRY_TIMES": 1,
    }

    def extract(self, record, response):
        return remotive.extract(record, self.context(response))
