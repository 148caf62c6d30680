from aggregator.bases.api import ApiJobSpider
from aggregator.extract import workingnomads


class WorkingNomadsSpider(ApiJobSpider):
    """workingnomads.com: one bare JSON array of current postings; no paging, no salary."""

    name = "workingnomads"
    item_defaults = {"workplace": "remote"}  # a remote-only board: its postings are remote unless they say otherwise
    allowed_domains = ["workingnomads.com", "www.workingnomads.com"]
    api_url = "https://www.workingnomads.com/api/exposed_jobs/"
    terms = (
        "Public JSON endpoint without stated API terms (the site's Terms of Service apply); each "
        "posting's only link is Working Nomads' redirecting apply URL, which we keep and link through."
    )
    custom_settings = {"DOWNLOAD_DELAY": 5, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def extract(self, record, response):
        return workingnomads.extract(record, self.context(response))
