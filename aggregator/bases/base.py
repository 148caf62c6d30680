"""What every board spider shares: an honest User-Agent, and problems recorded, never lost."""

from __future__ import annotations

import inspect
import re
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES
from twisted.python.failure import Failure

from aggregator import signals
from aggregator.bases.fetch_reasons import fetch_failure_reason
from aggregator.extract.context import Context
from aggregator.items import RawPosting

# The stat the crawl-run recorder reads to tell a run that read every listing from a partial one.
LISTING_PROBLEMS = "aggregator/listing_problems"


def _stat_key(reason: str) -> str:
    # The kind of problem, not its details: "redirect loop: A → B → A" counts as redirect_loop.
    kind = re.split(r"[:(]|https?://", reason, maxsplit=1)[0]
    return re.sub(r"[^a-z0-9]+", "_", kind.lower()).strip("_")[:40] or "other"


class SpiderArgumentError(ValueError):
    """A spider argument (``-a NAME=VALUE``) the spider does not take: the message lists the ones it does."""


class JobSpider(scrapy.Spider):
    """Base of all board spiders.

    Spider arguments are checked: a spider takes the keyword parameters of its classes' ``__init__``
    and the names its classes list in ``attribute_arguments`` (arguments read as attributes, such as
    ``max_pages``); any other ``-a`` argument is an error naming the ones it takes, not silently
    ignored. Names starting with ``_`` are left to tools (scrapyd passes ``_job``).
    """

    # Arguments read as attributes (getattr) rather than taken by __init__; each class lists its own.
    attribute_arguments: tuple[str, ...] = ()

    # Cron of the board's nightly crawl and a one-line summary of its terms (README, scheduler).
    schedule = "0 2 * * *"
    terms = ""
    # Whether the scheduler runs this board without configuration (boards that need arguments don't).
    enabled_by_default = True
    # Whether one healthy run sees every current posting of the board. Only then may postings it
    # did not see be counted as missing and closed; feeds of the newest N postings, or one company
    # board among many under one source, are not complete.
    complete_listing = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        accepted = self.accepted_arguments()
        unknown = sorted(name for name in kwargs if name not in accepted and name != "name" and name[:1] != "_")
        if "shard" in unknown:
            # Its pages depend on each other (the next page is known from the previous one).
            raise SpiderArgumentError(
                f"{self.name} cannot be split into parts (-a shard): only sitemap and ATS boards divide"
            )
        if unknown:
            takes = f"it takes: {', '.join(accepted)}" if accepted else "it takes no arguments"
            plural = "s" if len(unknown) > 1 else ""
            raise SpiderArgumentError(f"unknown spider argument{plural} {', '.join(unknown)} for {self.name} ({takes})")
        super().__init__(*args, **kwargs)

    @classmethod
    def accepted_arguments(cls) -> list[str]:
        """Every ``-a`` argument this spider takes."""
        names: set[str] = set()
        for klass in cls.__mro__:
            if not (isinstance(klass, type) and issubclass(klass, JobSpider)):
                continue
            names.update(klass.__dict__.get("attribute_arguments", ()))
            if init := klass.__dict__.get("__init__"):
                for parameter in inspect.signature(init).parameters.values():
                    if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                        names.add(parameter.name)
        names.discard("self")
        return sorted(names)

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # The User-Agent names the project and where to reach its operator (CONTACT_URL), unless
        # someone passed an explicit USER_AGENT on the command line.
        if settings.getpriority("USER_AGENT") < SETTINGS_PRIORITIES["cmdline"]:
            agent = settings["USER_AGENT_TEMPLATE"].format(contact_url=settings["CONTACT_URL"])
            settings.set("USER_AGENT", agent, priority="spider")

    def extract(self, record: Any, response: Response) -> RawPosting | scrapy.Request | None:
        """The one extraction hook of every board: one record of ``response`` → a ``RawPosting``,
        a request for the record's detail page, or None when the record is not a posting
        (``AtsJobSpider`` boards declare ``detail_url`` instead of returning requests).

        What a record is depends on the base: a JSON object of an API page or a company board
        (``ApiJobSpider``, ``AtsJobSpider`` — the board's token and company in
        ``response.meta["board"]``), the child elements of a feed entry (``FeedJobSpider``), or the
        page's text (``SitemapJobSpider``). The base calls it, catches and stores what it raises,
        counts what it skips; a board's spider only hands the record and ``self.context(response)`` to
        its pure ``extract(record, context)`` in ``aggregator/extract/<board>.py``.
        """
        raise NotImplementedError

    def context(self, response: Response) -> Context:
        """What ``response`` says beside its records, for the board's pure ``extract(record, context)``."""
        return Context(url=response.url)

    def record_problem(self, url: str | None, stage: str, reason: str, payload: Any = None) -> None:
        """Count a problem in the crawl stats and hand it to the run recorder to store."""
        stats = self.crawler.stats
        stats.inc_value("aggregator/errors")
        stats.inc_value(f"aggregator/{stage}_problems/{_stat_key(reason)}")
        self.logger.warning("%s problem at %s: %s", stage, url, reason)
        self.crawler.signals.send_catch_log(
            signal=signals.posting_problem, url=url, stage=stage, reason=reason, payload=payload
        )

    def record_listing_problem(self, url: str | None, reason: str) -> None:
        """A listing (sitemap, feed, API page, board) that could not be read in full, or listed
        nothing: the run is partial, so it closes no posting as missing."""
        self.crawler.stats.inc_value(LISTING_PROBLEMS)
        self.record_problem(url, "listing", reason[:500])

    def on_fetch_error(self, failure: Failure) -> None:
        """Errback: a page that could not be had after retries (4xx/5xx, timeouts, DNS…)."""
        request = failure.request
        reason = fetch_failure_reason(failure)
        # Stored under the URL the board lists (before redirects), as postings are; the sitemap's
        # lastmod rides along so that a gone page is not fetched again until it changes.
        listed_url = (request.meta.get("redirect_urls") or [request.url])[0]
        self.record_problem(listed_url, "fetch", reason, {"sitemap_lastmod": request.cb_kwargs.get("sitemap_lastmod")})
