"""What a crawl's own process loads and keeps: no more than the crawl uses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from scrapy.settings import default_settings

from aggregator import settings
from tests.conftest import ROOT

# The components a crawl builds from the project's settings, as Scrapy builds them, and the modules
# the process then holds; in a fresh interpreter, so that nothing else imported them first.
BUILD_COMPONENTS = """
import json, os, sys
os.environ["SCRAPY_SETTINGS_MODULE"] = "aggregator.settings"
from scrapy.utils.conf import build_component_list
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
built = {
    name: build_component_list(settings.get_component_priority_dict_with_base(name))
    for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES")
}
print(json.dumps({"built": built, "modules": sorted(sys.modules)}))
"""


def _built() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", BUILD_COMPONENTS], cwd=ROOT, capture_output=True, text=True, check=True
    )
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
        expected = set(enabled) - set(settings.NOT_LOADED)
        assert set(found["built"][name]) == expected


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
