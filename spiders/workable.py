import json

import scrapy

from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import workable
from aggregator.extract.workable import merge_locations

V3_URL = "https://apply.workable.com/api/v3/accounts/{token}/jobs"


class WorkableSpider(AtsJobSpider):
    """Companies' Workable boards: `-a boards=acme,globex` or the WORKABLE_BOARDS setting.

    The widget API gives the whole board with descriptions in one request; `-a api=v3` reads the
    job-board API instead (workplace remote/hybrid/on-site, paged by a token, no descriptions).
    """

    name = "workable"
    board_url = "https://apply.workable.com/api/v1/widget/accounts/{token}?details=true"
    boards_setting = "WORKABLE_BOARDS"
    schedule = "10 2 * * *"
    terms = (
        "Public widget and careers-page APIs (no key); Workable throttles bursts with 429: "
        "one request per board a day, 2 s apart"
    )
    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    api = "widget"
    max_pages = 20
    attribute_arguments = ("api", "max_pages")

    def board_request(self, token, company, **page):
        if self.api != "v3":
            return super().board_request(token, company)
        body = {"token": page["next_token"]} if page.get("next_token") else {}
        return scrapy.Request(
            V3_URL.format(token=token), method="POST", body=json.dumps(body),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            callback=self.parse_board, errback=self.on_listing_error, dont_filter=True,
            cb_kwargs={"token": token, "company": company, "page": page.get("page", 1)},
        )  # fmt: skip

    def records(self, data):
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            return data["results"]
        jobs = data.get("jobs") if isinstance(data, dict) else None
        return merge_locations(jobs) if isinstance(jobs, list) else None

    def board_company(self, data):
        return data.get("name") if isinstance(data, dict) else None

    def next_pages(self, response, data, records, token, company, page=1, **_):
        next_token = data.get("nextPage") if isinstance(data, dict) else None
        if self.api == "v3" and next_token and int(page) < int(self.max_pages):
            yield self.board_request(token, company, next_token=next_token, page=int(page) + 1)

    def extract(self, record, response):
        return workable.extract(record, self.context(response))
