from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import ashby


class AshbySpider(AtsJobSpider):
    """Companies' Ashby job boards: `-a boards=linear,ramp` or the ASHBY_BOARDS setting."""

    name = "ashby"
    board_url = "https://api.ashbyhq.com/posting-api/job-board/{token}?includeCompensation=true"
    boards_setting = "ASHBY_BOARDS"
    schedule = "0 2 * * *"
    terms = "Public Job Postings API (no key; no published rate limit); one request per board a day"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return ashby.extract(record, self.context(response))
