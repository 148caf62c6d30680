"""Every spider is a registered board with a recorded fixture, a schedule and its terms."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
from apscheduler.triggers.cron import CronTrigger
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from aggregator.bases.base import JobSpider
from tests.conftest import FIXTURES, ROOT

BOARD_SPIDERS = {
    "remoteok", "weworkremotely", "remotive", "himalayas", "jobicy", "workingnomads", "arbeitnow",
    "greenhouse", "lever", "ashby", "jobposting", "fourdayweek", "nodesk", "jobspresso", "euremotejobs",
    "workable", "smartrecruiters", "recruitee", "personio", "teamtailor", "bamboohr", "workday", "hackernews",
}  # fmt: skip
# Spiders whose fixture folder predates the tests/fixtures/<spider>/ convention.
FIXTURE_FOLDERS = {"remotewlb": "remotewlb-site"}
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
