"""Scrapy settings: polite defaults, the pipeline order, and the crawl-run recorder."""

import os

from aggregator.config import database_url
from aggregator.lean_imports import import_itemadapter_without_pydantic

# Scrapy imports this module before its commands, whose imports bring in itemadapter.
import_itemadapter_without_pydantic()

BOT_NAME = "aggregator"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# A crawl imports its own spider's module only, not every board's (aggregator/spiderloader.py).
SPIDER_LOADER_CLASS = "aggregator.spiderloader.LazySpiderLoader"
# `scrapy crawl` exits non-zero when the crawl run failed (aggregator/commands/crawl.py).
COMMANDS_MODULE = "aggregator.commands"

# Where postings go: AGGREGATOR_DATABASE_URL, or `-s DATABASE_URL=…`, or sqlite:///jobs.db.
DATABASE_URL = database_url()
# Incremental recrawls: pages listed with an unchanged lastmod are not downloaded again.
# `-s FULL_RECRAWL=True` (or `aggregator crawl --full`) fetches everything.
FULL_RECRAWL = False
# A posting missing from this many consecutive healthy runs of its board is closed.
CLOSE_AFTER_MISSED_RUNS = 2

# Postings written per transaction by the store pipeline (flushed on close too). Small enough that
# the last batch, written after the last download, ends the crawl soon after it.
STORE_BATCH_SIZE = 100
# Responses whose items wait for the store (when the database is slower than the downloads) stop
# new downloads once their bodies pass this size. A waiting response costs several times its body
# (its parsed page): with Scrapy's 5 MB a 6k crawl's process grew by ~60 MB; 1 MB is still ~50 pages.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
# Scrapy checks each response's callback for a generator that returns a value by reading and parsing
# its source; its cache is keyed by the bound method, which dies with the request, so every page
# paid it again (~4% of a crawl's process). tests/test_board_registry.py checks our callbacks once.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Politeness. Operators set CONTACT_URL (or AGGREGATOR_CONTACT_URL) to a page that reaches them.
CONTACT_URL = os.environ.get("AGGREGATOR_CONTACT_URL", "https://github.com/remote-job-aggregator")
USER_AGENT_TEMPLATE = "remote-job-aggregator/0.1 (+{contact_url})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
# A 429/503 with Retry-After is retried after the time the server asks, up to this many seconds;
# a longer wait is not shortened: that page is given up and stored as a fetch reject.
RETRY_AFTER_MAX_DELAY = 300

# Bounded resources. No job page, API answer or sitemap shard comes near 64 MiB (the sitemap
# protocol caps a shard at 50 MB uncompressed); the same bound applies to what a gzipped body
# inflates to, whether Scrapy or the sitemap spider inflates it.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

DOWNLOADER_MIDDLEWARES = {
    # Retry-After honoured (capped) on 429 and 503.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "aggregator.middlewares.retry_after.RetryAfterMiddleware": 550,
    # Meta refresh only from the page's <head>, never from inside a posting's description.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "aggregator.middlewares.redirects.HeadMetaRefreshMiddleware": 580,
    # Redirect loops and off-site redirects end in the errback as rejects instead of vanishing.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "aggregator.middlewares.redirects.CheckedRedirectMiddleware": 600,
}

# A crawler should not open ports it does not need.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = False

# Components turned off above are not even imported (aggregator.addons).
ADDONS = {"aggregator.addons.SwitchedOffLeftOut": 0}

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.deduplicate.DeduplicatePipeline": 300,
    "pipelines.store.StorePipeline": 400,
    # Last: feed exports (-O, FEEDS) get full postings, unchanged ones read back from the database.
    "pipelines.export.FeedExportPipeline": 500,
}
EXTENSIONS = {
    "aggregator.extensions.CrawlRunRecorder": 500,
    "aggregator.page_outcomes.PageOutcomes": 510,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
