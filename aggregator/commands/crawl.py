"""``scrapy crawl`` that exits 1 when the crawl run failed, not only when Scrapy could not start.

Scrapy's own command exits 0 whatever the crawl stored; a nightly ``make crawl`` or cron job must
see the run's verdict (aggregator.extensions puts it in the crawl's stats) in its exit code. A
misspelt spider or a bad ``-a`` argument is one line and exit code 2, like `aggregator crawl`,
instead of a traceback from inside the reactor.
"""

from __future__ import annotations

import difflib
import sys
from typing import NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from aggregator.boards import check_arguments
from aggregator.db import migrate_in_child
from aggregator.long_lived import build_caches_in_child

USAGE_ERROR = 2


def _refuse(message: str) -> NoReturn:
    print(f"scrapy crawl: error: {message}", file=sys.stderr)
    raise SystemExit(USAGE_ERROR)


class Command(ScrapyCrawlCommand):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl <spider>")
        assert self.crawler_process
        name = args[0]
        loader = self.crawler_process.spider_loader
        try:
            spider = loader.load(name)
        except KeyError:
            # Every spider is loaded only now, to name the nearest (aggregator.spiderloader).
            near = difflib.get_close_matches(name, loader.list(), n=1)
            _refuse(f"no spider {name!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        try:
            check_arguments(name, spider, opts.spargs)
        except ValueError as exc:
            _refuse(str(exc))
        # Before the crawl's process opens the database: a migration's Alembic stays out of it, and
        # so does the garbage of building the gazetteer.
        migrate_in_child(self.settings["DATABASE_URL"])
        build_caches_in_child()
        crawler = self._create_crawler(name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        status = crawler.stats.get_value("aggregator/run_status") if crawler.stats else None
        if self.crawler_process.bootstrap_failed or status == "failed":
            self.exitcode = 1
