"""What a crawl's own process loads and keeps: no more than the crawl uses."""

from __future__ import annotations

import json
import subprocess
import sys

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
