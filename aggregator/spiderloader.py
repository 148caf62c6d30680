"""Scrapy's spider loader, made lazy: a crawl imports its own board's spider, not every board's.

Scrapy's loader imports every module under SPIDER_MODULES when it is made, so each crawl's process
held all boards' spiders and extractors with their libraries (ftfy for the API boards…), ~4 MB it
never used. Here a spider is first looked for in the module named after it (``spiders/<name>.py``,
as every board's is); a name found there is loaded alone. Anything else — a spider whose module has
another name, ``list()``, ``find_by_request()`` — loads them all, as Scrapy does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.spider import iter_spider_classes

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings


class LazySpiderLoader:
    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings
        self.spider_modules: list[str] = settings.getlist("SPIDER_MODULES")
        self._all: SpiderLoader | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> LazySpiderLoader:
        return cls(settings)

    def _every_spider(self) -> SpiderLoader:
        if self._all is None:
            self._all = SpiderLoader.from_settings(self.settings)
        return self._all

    def load(self, spider_name: str) -> type[Spider]:
        if self._all is None and spider_name.isidentifier():
            for package in self.spider_modules:
                module_name = f"{package}.{spider_name}"
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError as exc:
                    if exc.name == module_name:
                        continue  # no module of that name: the full search below says whether it exists
                    raise
                for spider in iter_spider_classes(module):
                    if spider.name == spider_name:
                        return spider
        return self._every_spider().load(spider_name)

    def list(self) -> list[str]:
        return self._every_spider().list()

    def find_by_request(self, request: Request) -> list[str]:
        return self._every_spider().find_by_request(request)
