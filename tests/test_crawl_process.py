"""What a crawl's own process loads and keeps: no more than the crawl uses."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
import weakref
from types import SimpleNamespace

import pytest
import scrapy
from scrapy.settings import default_settings

from aggregator import settings
from aggregator.addons import SWITCHED_OFF_BY
from aggregator.bases.queues import PackedFifoMemoryQueue
from tests.conftest import ROOT

# The components a crawl builds from the project's settings (with these on the command line), as
# Scrapy builds them, and the modules the process then holds; in a fresh interpreter, so that nothing
# else imported them first.
BUILD_COMPONENTS = """
import json, os, sys
os.environ["SCRAPY_SETTINGS_MODULE"] = "aggregator.settings"
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.conf import build_component_list
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
settings.setdict(json.loads(sys.argv[1]), priority="cmdline")
crawler = Crawler(Spider, settings)
crawler.addons.load_settings(crawler.settings)  # the add-ons' turn, as a crawl starts
built = {
    name: build_component_list(crawler.settings.get_component_priority_dict_with_base(name))
    for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES")
}
print(json.dumps({"built": built, "modules": sorted(sys.modules)}))
"""


def _built(command_line: dict | None = None) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", BUILD_COMPONENTS, json.dumps(command_line or {})],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_components_turned_off_are_not_imported_and_the_other_defaults_stay():
    found = _built()
    modules = set(found["modules"])
    # The remote control's HTTP server, the telnet console and the cookie jar (with the public
    # suffix list) are off in every crawl: their modules and what they import stay out.
    assert not {"scrapy.extensions.remote_control", "aiohttp", "scrapy.extensions.telnet", "twisted.conch"} & modules
    assert not {"scrapy.downloadermiddlewares.cookies", "tldextract", "requests"} & modules
    for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES"):
        scrapy_defaults = getattr(default_settings, f"{name}_BASE")
        ours = getattr(settings, name)
        enabled = [path for path in [*scrapy_defaults, *ours] if ours.get(path, 0) is not None]
        assert set(found["built"][name]) == set(enabled) - set(SWITCHED_OFF_BY)


def test_a_component_turned_on_from_the_command_line_is_there():
    found = _built({"COOKIES_ENABLED": True})
    assert "scrapy.downloadermiddlewares.cookies.CookiesMiddleware" in found["built"]["DOWNLOADER_MIDDLEWARES"]
    assert "scrapy.extensions.telnet.TelnetConsole" not in found["built"]["EXTENSIONS"]


LOAD_ONE_SPIDER = """
import json, os, sys
os.environ["SCRAPY_SETTINGS_MODULE"] = "aggregator.settings"
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings
loader = get_spider_loader(get_project_settings())
spider = loader.load(sys.argv[1])
print(json.dumps({"spider": f"{spider.__module__}.{spider.__qualname__}", "modules": sorted(sys.modules)}))
"""


def test_a_crawl_imports_its_own_spider_only():
    done = subprocess.run(
        [sys.executable, "-c", LOAD_ONE_SPIDER, "remotewlb"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)
    assert found["spider"] == "spiders.remotewlb.RemoteWLBSpider"
    modules = set(found["modules"])
    assert not {"spiders.arbeitnow", "spiders.greenhouse", "aggregator.bases.api", "ftfy"} & modules


# What `scrapy crawl` imports before its crawl: the project's settings, then Scrapy's commands.
SCRAPY_COMMAND_LINE = """
import json, runpy, sys
sys.argv = ["scrapy", "list"]
try:
    runpy.run_module("scrapy", run_name="__main__")
except SystemExit:
    pass
loaded = sorted(name for name in ("itemadapter", "pydantic", "pydantic_core") if name in sys.modules)
from itemadapter import ItemAdapter
from aggregator.items import PostingSeen
seen = ItemAdapter(PostingSeen(source="remotewlb", listed_url="https://remotewlb.com/job/a", posting_id=7))
import pydantic, aggregator.config_file  # a configuration file's schema still imports pydantic
print(json.dumps({"loaded": loaded, "seen": seen.asdict()}))
"""


def test_a_crawls_process_leaves_pydantic_out_and_reads_its_items_as_before():
    """itemadapter imports pydantic (and pydantic.v1) to know pydantic items: ~7 MB a crawl never used."""
    done = subprocess.run(
        [sys.executable, "-c", SCRAPY_COMMAND_LINE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["loaded"] == ["itemadapter"]
    assert found["seen"] == {"source": "remotewlb", "listed_url": "https://remotewlb.com/job/a", "posting_id": 7}


def test_the_lazy_loader_finds_what_scrapy_finds():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from aggregator.spiderloader import LazySpiderLoader

    project = get_project_settings()
    scrapy_loader, lazy = SpiderLoader.from_settings(project), LazySpiderLoader.from_settings(project)
    assert sorted(lazy.list()) == sorted(scrapy_loader.list())
    for name in scrapy_loader.list():
        assert LazySpiderLoader.from_settings(project).load(name) is scrapy_loader.load(name)
    for unknown in ("remotewlbb", "no such spider", "base"):
        with pytest.raises(KeyError):
            LazySpiderLoader.from_settings(project).load(unknown)


class _Spider(scrapy.Spider):
    name = "queued"

    def parse_page(self, response):
        pass

    def on_error(self, failure):
        pass


class _Overriding(_Spider):
    def parse_page(self, response):
        pass


def _queue(spider: scrapy.Spider) -> PackedFifoMemoryQueue:
    return PackedFifoMemoryQueue.from_crawler(SimpleNamespace(spider=spider), "")


def test_queued_requests_come_out_as_they_went_in_first_in_first_out():
    spider = _Spider()
    sent = [
        scrapy.Request(
            f"https://example.com/job/{number}",
            callback=spider.parse_page,
            errback=spider.on_error,
            headers={"If-None-Match": '"abc"'} if number % 2 else {},
            meta={"posting_page": True, "handle_httpstatus_list": [304], "redirect_urls": ["https://example.com/x"]},
            cb_kwargs={"sitemap_lastmod": f"2024-06-0{number}"},
            priority=-1,
            dont_filter=bool(number % 2),
            flags=["retried"],
        )
        for number in range(1, 4)
    ]
    queue = _queue(spider)
    for request in sent:
        queue.push(request)
    assert len(queue) == 3
    assert queue.peek().url == sent[0].url
    received = [queue.pop() for _ in sent]
    assert queue.pop() is None and len(queue) == 0
    for before, after in zip(sent, received, strict=True):
        for name in scrapy.Request.attributes:
            assert getattr(after, name) == getattr(before, name), name
        assert after.callback.__func__ is _Spider.parse_page and after.callback.__self__ is spider


def test_a_queued_request_is_not_kept_alive_while_it_waits():
    spider = _Spider()
    request = scrapy.Request("https://example.com/job/1", callback=spider.parse_page, meta={"posting_page": True})
    alive = weakref.ref(request)
    queue = _queue(spider)
    queue.push(request)
    del request
    gc.collect()
    assert alive() is None
    assert queue.pop().url == "https://example.com/job/1"


@pytest.mark.parametrize(
    "request_for",
    [
        lambda spider: scrapy.Request("https://example.com/a", callback=lambda response: None),
        lambda spider: scrapy.Request("https://example.com/a", callback=super(_Overriding, spider).parse_page),
        lambda spider: scrapy.Request("https://example.com/a", callback=_Spider().parse_page),
        lambda spider: scrapy.FormRequest("https://example.com/a", formdata={"q": "x"}, callback=spider.parse_page),
        lambda spider: scrapy.Request("https://example.com/a", meta={"lock": threading.Lock()}),
    ],
    ids=["function", "overridden parent method", "another spider's method", "request subclass", "unpicklable meta"],
)
def test_a_request_that_cannot_be_packed_waits_as_it_is(request_for):
    spider = _Overriding()
    request = request_for(spider)
    queue = _queue(spider)
    queue.push(request)
    assert queue.pop() is request


def test_sitemap_boards_queue_their_requests_packed():
    from scrapy.utils.project import get_project_settings

    from spiders.remotewlb import RemoteWLBSpider

    configured = get_project_settings()
    RemoteWLBSpider.update_settings(configured)
    assert configured["SCHEDULER_MEMORY_QUEUE"] == "aggregator.bases.queues.PackedFifoMemoryQueue"
