from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import teamtailor


def teamtailor_host(token: str) -> str:
    """``acme`` → ``acme.teamtailor.com``; a careers domain (``career.teamtailor.com``) stays."""
    token = token.strip().removeprefix("https://").removeprefix("http://").split("/")[0]
    return token if "." in token else f"{token}.teamtailor.com"


class TeamtailorSpider(AtsJobSpider):
    """Companies' Teamtailor careers sites: `-a boards=acme` (acme.teamtailor.com) or a careers
    domain (`careers.acme.com`), or the TEAMTAILOR_BOARDS setting."""

    name = "teamtailor"
    board_url = "https://{token}/jobs.json"
    boards_setting = "TEAMTAILOR_BOARDS"
    schedule = "40 2 * * *"
    terms = "Public careers-site JSON feed (the key-based api.teamtailor.com is not used); once a day, 1 request / s"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def board_request(self, token, company, **page):
        return super().board_request(teamtailor_host(token), company)

    def records(self, data):
        items = data.get("items") if isinstance(data, dict) else None
        return items if isinstance(items, list) else None

    def board_company(self, data):
        return data.get("title") if isinstance(data, dict) else None

    def extract(self, record, response):
        return teamtailor.extract(record, self.context(response))
