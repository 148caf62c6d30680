from aggregator.bases.ats import AtsJobSpider
from aggregator.extract.bamboohr import extract_opening


class BambooHrSpider(AtsJobSpider):
    """Companies' BambooHR careers pages: `-a "boards=acme=Acme Corp"` (the `acme.bamboohr.com`
    subdomain; the list names no company, so configure its name) or the BAMBOOHR_BOARDS setting."""

    name = "bamboohr"
    board_url = "https://{token}.bamboohr.com/careers/list"
    boards_setting = "BAMBOOHR_BOARDS"
    schedule = "45 2 * * *"
    terms = "Public careers-page list endpoint (no key; no published rate limit); one request per company a day"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def records(self, data):
        result = data.get("result") if isinstance(data, dict) else None
        return result if isinstance(result, list) else None

    def extract(self, record, token, company):
        return extract_opening(record, token, company)
