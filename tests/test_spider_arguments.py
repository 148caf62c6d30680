"""Every `-a NAME=…` a spider documents is an argument it accepts (unknown ones are refused)."""

import inspect
import re

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

LOADER = SpiderLoader.from_settings(get_project_settings())


@pytest.mark.parametrize("name", sorted(LOADER.list()))
def test_documented_arguments_are_accepted(name):
    spider = LOADER.load(name)
    documented = set(re.findall(r"-a (\w+)=", inspect.getsource(inspect.getmodule(spider))))
    assert documented <= set(spider.accepted_arguments())
