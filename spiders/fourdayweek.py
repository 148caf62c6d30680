from aggregator.bases.api import ApiJobSpider
from aggregator.extract.fourdayweek import extract_record


class FourDayWeekSpider(ApiJobSpider):
    """4dayweek.io: the jobs list its own front end reads (key ``jobs``), one request a day."""

    name = "fourdayweek"
    allowed_domains = ["4dayweek.io"]
    api_url = "https://4dayweek.io/api/jobs"
    records_path = "jobs"
    item_defaults = {"workplace": "remote"}  # a remote-first board: unknown workplace means remote
    schedule = "30 2 * * *"
    terms = (
        "Undocumented endpoint of the site's own front end (no published API terms or rate limit); "
        "link each posting to its 4dayweek.io page; one request a day"
    )
    custom_settings = {"DOWNLOAD_DELAY": 5.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "RETRY_TIMES": 1}

    def extract_record(self, record, response):
        return extract_record(record)
