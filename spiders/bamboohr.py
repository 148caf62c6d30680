from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import bamboohr


class BambooHrSpider(AtsJobSpider):
    """Companies' BambooHR careers pages: the list, then each opening's detail (date, text, pay).
    `-a "boards=acme=Acme Corp"` (the `acme.bamboohr.com` subdomain; the API names no company, so
    configure its name) or the BAMBOOHR_BOARDS setting."""

    name = "bamboohr"
    board_url = "https://{token}.bamboohr.com/careers/list"
    boards_setting = "BAMBOOHR_BOARDS"
    schedule = "45 2 * * *"
    terms = (
        "Public careers-page endpoints (no key; no published rate limit): the list plus one detail "
        "request per opening, 1 request / s"
    )
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    detail_headers = {"Accept": "application/json"}

    def records(self, data):
        result = data.get("result") if isinstance(data, dict) else None
        return result if isinstance(result, list) else None

    def detail_url(self, record, board):
        job_id = str(record.get("id") or "").strip()  # none: the list entry alone, which validation rejects
        return f"https://{board.token}.bamboohr.com/careers/{job_id}/detail" if job_id else None

    def extract(self, record, response):
        return bamboohr.extract(record, self.context(response))
