"""``scrapy crawl`` that exits 1 when the crawl run failed, not only when Scrapy could not start.

Scrapy's own command exits 0 whatever the crawl stored; a nightly ``make crawl`` or cron job must
see the run's verdict (aggregator.extensions puts it in the crawl's stats) in its exit code.
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCrawlCommand):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl <spider>")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        status = crawler.stats.get_value("aggregator/run_status") if crawler.stats else None
        if self.crawler_process.bootstrap_failed or status == "failed":
            self.exitcode = 1
