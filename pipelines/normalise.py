from aggregator.items import NormalisedPosting, PostingSeen, RawPosting
from aggregator.long_lived import load_for_life
from aggregator.normalise import location
from aggregator.normalise.dates import read_date
from aggregator.normalise.defaults import check_item_defaults
from aggregator.normalise.plausible import salary_problem
from aggregator.normalise.posting import normalise_posting
from aggregator.normalise.salary import read_salary
from aggregator.normalise.urls import web_url


class NormalisePipeline:
    """Raw strings → typed, cleaned columns (all the logic lives in aggregator.normalise).

    A value found but not usable (an unreadable or out-of-range date, an apply link that is no web
    page, a negative or impossible salary) is stored as NULL beside its raw twin and counted here
    under ``aggregator/normalise/invalid/<field>/<reason>``.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.item_defaults: dict = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        # The board's defaults for its items (e.g. a remote-only board's workplace).
        self.item_defaults = check_item_defaults(getattr(self.crawler.spider, "item_defaults", None))
        load_for_life(location.warm_up)

    def process_item(self, item: RawPosting | PostingSeen) -> NormalisedPosting | PostingSeen:
        if isinstance(item, PostingSeen):
            return item
        posting = normalise_posting(item, self.item_defaults)
        for name, reason in invalid_values(item, posting):
            self.stats.inc_value(f"aggregator/normalise/invalid/{name}/{reason}")
        if posting.salary_raw and posting.salary_min is None and posting.salary_max is None:
            self.stats.inc_value("aggregator/normalise/salary_unparsed")
        if posting.location_raw and posting.workplace == "unknown" and not posting.countries:
            self.stats.inc_value("aggregator/normalise/location_unparsed")
        return posting


def invalid_values(raw: RawPosting, posting: NormalisedPosting) -> list[tuple[str, str]]:
    """(field, reason) of each value found in ``raw`` that ``posting`` could not keep."""
    found = []
    for name in ("date_posted", "valid_through"):
        if problem := read_date(getattr(raw, name)).problem:
            found.append((name, problem))
    if raw.apply_url and posting.apply_url is None and (problem := web_url(raw.apply_url.strip(), raw.url)[1]):
        found.append(("apply_url", problem))
    if posting.salary_min is None and posting.salary_max is None:
        salary = read_salary(raw.stated_salary, raw.base_salary_raw, raw.salary_raw)
        if problem := salary_problem(raw.salary_raw, salary):
            found.append(("salary", problem))
    return found
