import scrapy

from aggregator.bases.ats import AtsJobSpider
from aggregator.extract.bamboohr import extract_opening


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

    def records(self, data):
        result = data.get("result") if isinstance(data, dict) else None
        return result if isinstance(result, list) else None

    def extract(self, record, response):
        board = response.meta["board"]
        job_id = str(record.get("id") or "").strip()
        if not job_id:
            return extract_opening(record, board.token, board.company)  # validation rejects and stores it
        meta = {"record": record, "board": board}
        return scrapy.Request(
            f"https://{board.token}.bamboohr.com/careers/{job_id}/detail", callback=self.parse_detail,
            errback=self.on_detail_error, headers={"Accept": "application/json"}, meta=meta,
        )  # fmt: skip

    def parse_detail(self, response):
        meta = response.meta
        detail = self.detail_json(response)
        yield extract_opening(meta["record"], meta["board"].token, meta["board"].company, detail)

    def on_detail_error(self, failure):
        # The opening is still listed: store it from the list entry, and the failed detail as a problem.
        self.on_fetch_error(failure)
        meta = failure.request.meta
        if meta.get("record") is not None:
            yield extract_opening(meta["record"], meta["board"].token, meta["board"].company)
