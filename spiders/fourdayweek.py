from aggregator.bases.api import ApiJobSpider
from aggregator.extract import fourdayweek


class FourDayWeekSpider(ApiJobSpider):
    """4dayweek.io: the jobs list its own front end reads (key ``jobs``), paged by ``page`` while
    the body says ``has_more``; at most ``max_pages`` pages a run."""

    name = "fourdayweek"
    allowed_domains = ["4dayweek.io"]
    api_url = "https://4dayweek.io/api/jobs"
    records_path = "jobs"
    page_param = "page"
    max_pages = 5
    item_defaults = {"workplace": "remote"}  # a remote-first board: unknown workplace means remote
    # The site's terms ask for written permission before automated access: off until configured.
    enabled_by_default = False
    schedule = "30 2 * * *"
    terms = (
        "Undocumented endpoint of the site's own front end; the terms require prior written permission "
        "for automated access (get it, then enable [boards.fourdayweek]); link each posting to 4dayweek.io; "
        "once a day, a few pages 5 s apart"
    )
    custom_settings = {"DOWNLOAD_DELAY": 5.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "RETRY_TIMES": 1}

    def next_page_url(self, response, data, records):
        # Only a body that says there is more is followed (older answers have no paging keys).
        if isinstance(data, dict) and data.get("has_more") is True:
            return super().next_page_url(response, data, records)
        return None

    def extract(self, record, response):
        return fourdayweek.extract(record, self.context(response))
