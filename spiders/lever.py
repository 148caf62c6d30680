from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import lever


class LeverSpider(AtsJobSpider):
    """Companies' Lever boards: `-a boards=matchgroup,palantir` or the LEVER_BOARDS setting."""

    name = "lever"
    board_url = "https://api.lever.co/v0/postings/{token}?mode=json"
    boards_setting = "LEVER_BOARDS"
    schedule = "0 2 * * *"
    terms = "Public Postings API (GET needs no key; no published rate limit); one request per board a day"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def records(self, data):
        return data if isinstance(data, list) else None  # a bare array, no envelope

    def extract(self, record, response):
        return lever.extract(record, self.context(response))
