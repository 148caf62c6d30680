from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import greenhouse


class GreenhouseSpider(AtsJobSpider):
    """Companies' Greenhouse job boards: `-a boards=gitlab,canonical` or the GREENHOUSE_BOARDS setting."""

    name = "greenhouse"
    board_url = "https://boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true"
    boards_setting = "GREENHOUSE_BOARDS"
    schedule = "0 2 * * *"
    terms = "Public Job Board API (GET needs no key; no published rate limit); one request per board a day"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return greenhouse.extract(record, self.context(response))
