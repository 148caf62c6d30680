"""Run several crawls one after another in ONE Scrapy process, for fast contract tests.

``python -m tests.multi_crawl '<json>'`` with ``{"database_url": …, "crawls": [{"spider": name,
"args": {…}}, …]}``: the real spiders, pipelines and run recorder of ``scrapy crawl``, without
paying a process start-up per crawl. The traffic goes wherever ``https_proxy`` points (the replay
proxy in tests).
"""

from __future__ import annotations

import json
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor

# The same "no waiting on loopback" settings as tests.conftest.FAST.
FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}


def main(spec: dict) -> None:
    settings = get_project_settings()
    for name, value in {**FAST, "DATABASE_URL": spec["database_url"], **spec.get("settings", {})}.items():
        settings.set(name, value, priority="cmdline")
    install_reactor(settings["TWISTED_REACTOR"])  # before anything imports the default reactor
    process = CrawlerProcess(settings)
    from twisted.internet import defer, reactor

    @defer.inlineCallbacks
    def one_after_another():
        # In order, like successive `scrapy crawl` runs: crawls closing at the same moment in
        # one reactor are not what production does.
        try:
            for crawl in spec["crawls"]:
                yield process.crawl(crawl["spider"], **crawl.get("args", {}))
        finally:
            reactor.stop()

    reactor.callWhenRunning(one_after_another)
    process.start(stop_after_crawl=False)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
