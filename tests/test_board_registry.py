"""Every spider is a registered board with a recorded fixture, a schedule and its terms."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import typing

import pytest
from apscheduler.triggers.cron import CronTrigger
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.project import get_project_settings

import aggregator.extract
from aggregator.bases.base import JobSpider
from aggregator.extract.context import Context
from aggregator.items import RawPosting
from tests.conftest import FIXTURES, ROOT

BOARD_SPIDERS = {
    "remoteok", "weworkremotely", "remotive", "himalayas", "jobicy", "workingnomads", "arbeitnow",
    "greenhouse", "lever", "ashby", "jobposting", "fourdayweek", "nodesk", "jobspresso", "euremotejobs",
    "workable", "smartrecruiters", "recruitee", "personio", "teamtailor", "bamboohr", "workday", "hackernews",
}  # fmt: skip
# Spiders whose fixture folder predates the tests/fixtures/<spider>/ convention.
FIXTURE_FOLDERS = {"remotewlb": "remotewlb-site"}
# Modules of aggregator/extract/ that boards share; every other module there is one board's extractor.
EXTRACT_HELPERS = {"api_fields", "context", "jsonld", "page", "wpjobmanager"}
EXPECTED_KEYS = {"url", "source_id", "title", "company", "apply_url", "date_posted", "salary_raw", "location_raw"}


@pytest.fixture(scope="module")
def listed() -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return completed.stdout.split()


def test_scrapy_list_shows_every_board(listed):
    missing = (BOARD_SPIDERS | {"remotewlb"}) - set(listed)
    assert not missing, f"spiders not registered: {sorted(missing)}"


def test_every_listed_spider_has_a_fixture_folder(listed):
    problems = []
    for name in listed:
        folder = FIXTURES / FIXTURE_FOLDERS.get(name, name)
        for required in ("manifest.jsonl", "expected.jsonl"):
            if not (folder / required).is_file():
                problems.append(f"{name}: no {folder.relative_to(ROOT)}/{required}")
    assert not problems, "\n".join(problems)


def test_expected_files_hold_the_raw_fields_of_each_posting(listed):
    for name in sorted(BOARD_SPIDERS & set(listed)):
        path = FIXTURES / name / "expected.jsonl"
        if not path.is_file():
            continue  # reported by the test above
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert lines, f"{path} is empty"
        for line in lines:
            if line.get("expect") == "no_item":
                continue
            assert EXPECTED_KEYS <= line.keys(), (name, sorted(EXPECTED_KEYS - line.keys()))


def test_every_spider_has_a_cron_schedule_and_terms():
    loader = SpiderLoader.from_settings(get_project_settings())
    for name in sorted(BOARD_SPIDERS & set(loader.list())):
        spider = loader.load(name)
        assert isinstance(getattr(spider, "terms", None), str) and spider.terms.strip(), name
        CronTrigger.from_crontab(spider.schedule)  # raises on a malformed cron expression


def test_every_spider_has_the_one_extraction_hook(listed):
    """One contract for every board: ``extract(self, record, response)``, whatever the base."""
    loader = SpiderLoader.from_settings(get_project_settings())
    problems = []
    for name in listed:
        spider = loader.load(name)
        parameters = list(inspect.signature(spider.extract).parameters)
        if parameters != ["self", "record", "response"]:
            problems.append(f"{name}: extract{tuple(parameters)}")
        if spider.extract is JobSpider.extract:
            problems.append(f"{name}: no extract of its own")
    assert not problems, problems


def test_no_callback_is_a_generator_that_returns_a_value(listed):
    """Scrapy's own per-response check is off (WARN_ON_GENERATOR_RETURN_VALUE): it is made here,
    once, on every generator method of every spider (callbacks and hooks, the bases' included)."""
    loader = SpiderLoader.from_settings(get_project_settings())
    assert get_project_settings().getbool("WARN_ON_GENERATOR_RETURN_VALUE") is False
    problems, checked = [], 0
    for name in listed:
        spider = loader.load(name)
        for attribute, member in inspect.getmembers(spider, inspect.isgeneratorfunction):
            checked += 1
            if is_generator_with_return_value(member):
                problems.append(f"{name}.{attribute}")
    assert checked, "no generator method found: the check checked nothing"
    assert not problems, problems


def test_the_check_finds_a_generator_that_returns_a_value():
    class Returning:
        def parse(self, response):
            yield response
            return "lost"

    assert is_generator_with_return_value(Returning.parse)


def test_every_board_extractor_has_the_one_signature():
    """One contract for every board module: ``extract(record, context: Context) -> RawPosting | None``,
    and no other ``extract_*`` entry point beside it."""
    names = {module.name for module in pkgutil.iter_modules(aggregator.extract.__path__)}
    assert EXTRACT_HELPERS <= names, sorted(EXTRACT_HELPERS - names)
    problems = []
    for name in sorted(names - EXTRACT_HELPERS):
        module = importlib.import_module(f"aggregator.extract.{name}")
        function = getattr(module, "extract", None)
        if not inspect.isfunction(function) or function.__module__ != module.__name__:
            problems.append(f"{name}: no extract function of its own")
            continue
        parameters = inspect.signature(function).parameters
        if list(parameters) != ["record", "context"] or any(p.default is not p.empty for p in parameters.values()):
            problems.append(f"{name}: extract{tuple(parameters)}")
        hints = typing.get_type_hints(function)
        if hints.get("context") is not Context or hints.get("return") not in (RawPosting, RawPosting | None):
            problems.append(f"{name}: extract is typed {hints}")
        own = [other for other, value in vars(module).items()
               if inspect.isfunction(value) and value.__module__ == module.__name__]  # fmt: skip
        others = [other for other in own if other.startswith("extract_")]
        if others:
            problems.append(f"{name}: other extract entry points {others}")
    assert not problems, problems
