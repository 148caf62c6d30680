from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import recruitee


class RecruiteeSpider(AtsJobSpider):
    """Companies' Recruitee careers sites: `-a boards=acme` (the `acme.recruitee.com` subdomain)
    or the RECRUITEE_BOARDS setting."""

    name = "recruitee"
    board_url = "https://{token}.recruitee.com/api/offers/"
    boards_setting = "RECRUITEE_BOARDS"
    schedule = "25 2 * * *"
    terms = "Public Careers Site API (no key; no published rate limit); one request per company a day"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def records(self, data):
        offers = data.get("offers") if isinstance(data, dict) else None
        return offers if isinstance(offers, list) else None

    def extract(self, record, response):
        return recruitee.extract(record, self.context(response))
