from aggregator.bases.ats import AtsJobSpider
from aggregator.extract import personio
from aggregator.extract.personio import NotAPersonioFeed, positions


def personio_host(token: str) -> str:
    """``acme`` → ``acme.jobs.personio.de``; a full host (``acme.jobs.personio.com``) stays."""
    token = token.strip().removeprefix("https://").removeprefix("http://").split("/")[0]
    return token if "." in token else f"{token}.jobs.personio.de"


class PersonioSpider(AtsJobSpider):
    """Companies' Personio job feeds: `-a boards=acme` (acme.jobs.personio.de) or a full host
    (`acme.jobs.personio.com`), or the PERSONIO_BOARDS setting; `-a language=en` picks the texts."""

    name = "personio"
    board_url = "https://{token}/xml"
    boards_setting = "PERSONIO_BOARDS"
    schedule = "35 2 * * *"
    terms = "Public XML job feed meant for career-page integrations (no key, no published limit); once a day"
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    language = None
    attribute_arguments = ("language",)

    def board_request(self, token, company, **page):
        request = super().board_request(personio_host(token), company)
        return request.replace(url=f"{request.url}?language={self.language}") if self.language else request

    def load(self, response):
        try:
            return positions(response.body)
        except NotAPersonioFeed as exc:
            raise ValueError(str(exc)) from exc

    def records(self, data):
        return data

    def extract(self, record, response):
        return personio.extract(record, self.context(response))
