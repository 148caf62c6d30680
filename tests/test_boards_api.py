"""The JSON API boards: each recording crawled with `scrapy crawl <board>`, plus the pure extractors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from types import SimpleNamespace

import pytest
from apscheduler.triggers.cron import CronTrigger
from scrapy.http import TextResponse
from scrapy.signalmanager import SignalManager

from aggregator import signals
from aggregator.bases.api import ApiJobSpider
from aggregator.extract import arbeitnow, himalayas, jobicy, remoteok, remotive, workingnomads
from aggregator.extract.api_fields import salary_text
from aggregator.extract.context import Context
from aggregator.normalise.dates import start_moment
from spiders.arbeitnow import ArbeitnowSpider
from spiders.himalayas import HimalayasSpider
from spiders.jobicy import JobicySpider
from spiders.remoteok import RemoteOKSpider
from spiders.remotive import RemotiveSpider
from spiders.workingnomads import WorkingNomadsSpider
from tests.conftest import (
    BACKENDS,
    FIXTURES,
    as_moment,
    fresh_database,
    load_expected,
    query,
    run_crawl,
    write_snapshot,
)

FIELDS = ("url", "source_id", "title", "company", "apply_url", "date_posted", "salary_raw", "location_raw")
SPIDERS = {s.name: s for s in (RemoteOKSpider, RemotiveSpider, HimalayasSpider, JobicySpider,
                               WorkingNomadsSpider, ArbeitnowSpider)}  # fmt: skip
# The crawls of each board's recording (Jobicy: its default URL, then `-a count=5`, into one database).
CRAWLS = {name: [()] for name in SPIDERS} | {"jobicy": [(), ("-a", "count=5")]}
API = "https://www.arbeitnow.com/api/job-board-api"


def faulty_site(folder):
    """Bad bytes in one record, two records that are not postings, then a page that is not JSON."""
    good = {"slug": "good-job-1", "title": "Good Job", "company_name": "Acme", "remote": True,
            "location": "Berlin", "url": "https://www.arbeitnow.com/jobs/companies/acme/good-job-1",
            "created_at": 1771162285, "description": "<p>Fine</p>"}  # fmt: skip
    smudged = {**good, "slug": "smudged-2", "url": good["url"].replace("1", "2"), "description": "<p>XX</p>"}
    body = json.dumps({"data": [good, smudged, "not a record", None], "links": {"next": f"{API}?page=2"}})
    return write_snapshot(folder, {
        API: [{"status": 200, "headers": {"Content-Type": "application/json"},
               "text": body.encode().replace(b"XX", b"caf\xe9 \xff")}],
        f"{API}?page=2": [{"status": 200, "text": "<html><body>Too many requests</body></html>"}],
    })  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def crawled(request, tmp_path_factory) -> Iterator[dict[str, dict]]:
    """Every board's recording (and the faulty site) crawled into its own database, side by side,
    on SQLite and on PostgreSQL."""
    jobs = {board: (board, FIXTURES / board, CRAWLS[board]) for board in SPIDERS}
    jobs["faults"] = ("arbeitnow", faulty_site(tmp_path_factory.mktemp("site")), [()])
    with ExitStack() as databases:
        urls = {key: databases.enter_context(fresh_database(request.param, tmp_path_factory.mktemp(key)))
                for key in jobs}  # fmt: skip
        with ThreadPoolExecutor(max_workers=4) as pool:
            yield dict(zip(jobs, pool.map(lambda key: _crawl(jobs[key], urls[key]), jobs), strict=True))


def _crawl(job: tuple, url: str) -> dict:
    spider, snapshot, runs = job
    results = [run_crawl(spider, [snapshot], url, *args) for args in runs]
    return {
        "results": results,
        "postings": query(url, "SELECT * FROM postings ORDER BY id"),
        "runs": query(url, "SELECT * FROM crawl_runs ORDER BY id"),
        "rejects": query(url, "SELECT * FROM rejects ORDER BY id"),
    }


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


# -- crawls of the recordings --------------------------------------------------------------------


@pytest.mark.parametrize("board", SPIDERS)
def test_every_expected_posting_is_stored_field_by_field(crawled, board):
    outcome = crawled[board]
    for result in outcome["results"]:
        assert result.returncode == 0, result.log[-3000:]
    expected = load_expected(FIXTURES / board)
    stored = {row["source_id"]: row for row in outcome["postings"]}
    assert len(outcome["postings"]) == len(expected) == len(stored)
    for posting in expected:
        row = stored.get(posting["source_id"])
        assert row is not None, posting["source_id"]
        assert row["source"] == board
        for field in FIELDS:
            value = as_moment(row[field]) if field == "date_posted" else row[field]
            wanted = start_moment(posting[field]) if field == "date_posted" else posting[field]
            assert value == wanted, (board, posting["source_id"], field)


@pytest.mark.parametrize("board", SPIDERS)
def test_no_duplicates_and_every_run_is_ok(crawled, board):
    postings = crawled[board]["postings"]
    assert len({(p["source"], p["source_id"]) for p in postings}) == len(postings)
    assert len({p["url"] for p in postings}) == len(postings)
    for run in crawled[board]["runs"]:
        assert run["spider"] == board
        assert (run["status"], run["finish_reason"]) == ("ok", "finished")
        assert run["errors"] == 0
    # Only what the crawl asks for: robots.txt and the API pages, each once.
    for result in crawled[board]["results"]:
        urls = [r["url"] for r in result.requests]
        assert urls[0].endswith("/robots.txt")
        assert len(urls) == len(set(urls))
        assert {r["status"] for r in result.requests} == {200}


def test_remoteok_skips_the_legal_notice_and_rejects_the_empty_posting(crawled):
    outcome = crawled["remoteok"]
    assert len(outcome["postings"]) == 49  # 51 elements: the legal notice and an empty placeholder
    assert not any("API Terms of Service" in (p["description_html"] or "") for p in outcome["postings"])
    assert all(p["url"].startswith("https://remoteOK.com/remote-jobs/") for p in outcome["postings"])
    (reject,) = outcome["rejects"]
    assert (reject["stage"], reject["reason"]) == ("validate", "missing title")
    assert reject["url"] == "https://remoteOK.com/remote-jobs/remote-1130784"
    stats = _json(outcome["runs"][0]["stats"])
    assert stats["aggregator/api/skipped_records"] == 1


def test_remoteok_text_is_repaired_and_the_anti_spam_trailer_dropped(crawled):
    postings = {p["source_id"]: p for p in crawled["remoteok"]["postings"]}
    assert postings["1130779"]["location_raw"] == "Gdańsk"
    assert postings["1130733"]["company"] == "Zócalo Health"
    assert "Zócalo Health is a tech-enabled" in postings["1130733"]["description_html"]
    assert "We’re Looking For" in postings["1130788"]["description_html"]
    for posting in postings.values():
        html = posting["description_html"] or ""
        assert not re.search(r"â\x80|Ã.|Å\x84|Â\xa0", html), posting["source_id"]
        assert "Please mention the word" not in html and "RMjcu" not in html
        assert "\\n" not in html


def test_remotive_bom_is_tolerated_with_one_request(crawled):
    outcome = crawled["remotive"]
    stats = _json(outcome["runs"][0]["stats"])
    assert stats["aggregator/api/utf8_bom"] == 1
    assert len(outcome["postings"]) == 35
    (result,) = outcome["results"]
    assert [r["url"] for r in result.requests] == [
        "https://remotive.com/robots.txt",
        "https://remotive.com/api/remote-jobs",
    ]


def test_paginated_boards_follow_their_pages_and_stop(crawled):
    himalayas_urls = [r["url"] for r in crawled["himalayas"]["results"][0].requests]
    # 4 records on a page whose envelope says limit 5: a short page, the last one.
    assert himalayas_urls[1:] == ["https://himalayas.app/jobs/api?limit=20"]
    arbeitnow_urls = [r["url"] for r in crawled["arbeitnow"]["results"][0].requests]
    assert arbeitnow_urls[1:] == [
        "https://www.arbeitnow.com/api/job-board-api",
        "https://www.arbeitnow.com/api/job-board-api?page=2",  # links.next; null there: stop
    ]


def test_faults_are_counted_and_stored_and_the_crawl_goes_on(crawled):
    """Bad bytes, a non-JSON page and non-posting records: counted, stored, never fatal."""
    outcome = crawled["faults"]
    assert outcome["results"][0].returncode == 0, outcome["results"][0].log[-3000:]
    stored = {row["source_id"]: row for row in outcome["postings"]}
    assert set(stored) == {"good-job-1", "smudged-2"}
    assert "caf\ufffd \ufffd" in stored["smudged-2"]["description_html"]
    rejects = outcome["rejects"]
    assert [(r["stage"], r["url"]) for r in rejects] == [("parse", API), ("parse", f"{API}?page=2")]
    assert rejects[0]["reason"].startswith("invalid UTF-8 bytes")
    assert rejects[1]["reason"].startswith("unreadable JSON")
    (run,) = outcome["runs"]
    assert (run["status"], run["items_scraped"], run["errors"]) == ("ok", 2, 2)
    assert _json(run["stats"])["aggregator/api/skipped_records"] == 2


# -- the base spider, in process -----------------------------------------------------------------


class _Stats(dict):
    def inc_value(self, key, count=1, start=0):
        self[key] = self.get(key, start) + count

    def set_value(self, key, value):
        self[key] = value


def _spider(cls: type[ApiJobSpider], **kwargs) -> tuple[ApiJobSpider, list[dict]]:
    spider = cls(**kwargs)
    problems: list[dict] = []
    crawler = SimpleNamespace(stats=_Stats(), signals=SignalManager())
    crawler.signals.connect(lambda **kw: problems.append(kw), signal=signals.posting_problem, weak=False)
    spider.crawler = crawler
    return spider, problems


def _response(url: str, data) -> TextResponse:
    return TextResponse(url=url, body=json.dumps(data).encode(), encoding="utf-8")


def test_a_record_that_breaks_the_extractor_is_counted_and_the_others_kept(monkeypatch):
    spider, problems = _spider(RemotiveSpider)
    original = remotive.extract

    def flaky(record, context):
        if record.get("id") == 2:
            raise KeyError("salary")
        return original(record, context)

    monkeypatch.setattr(remotive, "extract", flaky)
    jobs = [{"id": n, "url": f"https://remotive.com/remote-jobs/x/job-{n}", "title": f"Job {n}"} for n in (1, 2, 3)]
    out = list(spider.parse_page(_response("https://remotive.com/api/remote-jobs", {"jobs": jobs})))
    assert [item.source_id for item in out] == ["1", "3"]
    (problem,) = problems
    assert problem["stage"] == "extract"
    assert problem["url"] == "https://remotive.com/remote-jobs/x/job-2"
    assert problem["reason"] == "record 1: KeyError: 'salary'"
    assert problem["payload"]["id"] == 2
    assert spider.crawler.stats["aggregator/errors"] == 1


def test_a_page_without_records_is_a_problem_not_a_crash():
    spider, problems = _spider(JobicySpider)
    assert list(spider.parse_page(_response(JobicySpider.api_url, {"success": False, "error": "x"}))) == []
    assert [p["reason"] for p in problems] == ["no list of records at jobs"]


def test_paging_stops_at_max_pages_and_on_an_empty_page():
    spider, _ = _spider(ArbeitnowSpider, max_pages="2")
    api = ArbeitnowSpider.api_url
    page = {"data": [{"slug": "a-1", "url": "https://www.arbeitnow.com/jobs/companies/a/a-1", "title": "A"}],
            "links": {"next": f"{api}?page=2"}}  # fmt: skip
    first = list(spider.parse_page(_response(api, page), page=1))
    assert [getattr(out, "url", None) for out in first] == [
        "https://www.arbeitnow.com/jobs/companies/a/a-1",
        f"{api}?page=2",
    ]
    page["links"]["next"] = f"{api}?page=3"
    assert len(list(spider.parse_page(_response(f"{api}?page=2", page), page=2))) == 1  # no page 3
    assert spider.crawler.stats["aggregator/api/max_pages_reached"] == 2
    assert list(spider.parse_page(_response(f"{api}?page=2", {"data": [], "links": {"next": "x"}}), page=1)) == []


def test_himalayas_prefers_the_cursor_then_falls_back_to_offset():
    spider, _ = _spider(HimalayasSpider)
    first = _response("https://himalayas.app/jobs/api?limit=20", {"nextCursor": "MjAy", "jobs": [{}] * 20})
    assert spider.next_page_url(first, json.loads(first.text), [{}] * 20) == (
        "https://himalayas.app/jobs/api?limit=20&cursor=MjAy"
    )
    paged = _response("https://himalayas.app/jobs/api?limit=20&offset=40", {"totalCount": 100, "jobs": []})
    assert spider.next_page_url(paged, {"totalCount": 100}, [{}] * 20) == (
        "https://himalayas.app/jobs/api?limit=20&offset=60"
    )
    assert spider.next_page_url(paged, {"totalCount": 60}, [{}] * 20) is None  # that was all of them
    assert spider.next_page_url(paged, {}, [{}] * 19) is None  # short page for the limit asked
    assert spider.next_page_url(paged, {"limit": 10}, [{}] * 10) == "https://himalayas.app/jobs/api?limit=20&offset=50"
    # After cursor pages, a page without a cursor is the last (no falling back to offsets).
    cursored = _response("https://himalayas.app/jobs/api?limit=20&cursor=MjAy", {"jobs": []})
    assert spider.next_page_url(cursored, {}, [{}] * 20) is None


def test_spider_arguments_become_query_parameters_without_touching_the_class():
    assert RemoteOKSpider(tag="python").first_urls() == ["https://remoteok.com/api?tag=python"]
    assert JobicySpider(count="5", geo="canada").first_urls() == [
        "https://jobicy.com/api/v2/remote-jobs?count=5&geo=canada"
    ]
    assert RemoteOKSpider(url="https://remoteok.com/api?tag=go").first_urls() == ["https://remoteok.com/api?tag=go"]
    spider = ArbeitnowSpider(max_pages="3")
    assert spider.max_pages == 3 and ArbeitnowSpider.max_pages == 10
    assert RemoteOKSpider.api_url == "https://remoteok.com/api" and RemoteOKSpider.query_args == ("tag",)
    with pytest.raises(ValueError, match="max_pages"):
        ArbeitnowSpider(max_pages="lots")


def test_every_board_states_its_terms_schedule_and_politeness():
    for spider in SPIDERS.values():
        assert spider.terms.strip(), spider.name
        assert CronTrigger.from_crontab(spider.schedule, timezone="UTC"), spider.name
        assert spider.custom_settings.get("DOWNLOAD_DELAY", 0) >= 1, spider.name
    # Remotive allows a few requests a day: one page, once a day, slowly, few retries.
    minute, hour, *rest = RemotiveSpider.schedule.split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"]
    assert RemotiveSpider.max_pages == 1
    assert RemotiveSpider.custom_settings["DOWNLOAD_DELAY"] >= 60
    assert RemotiveSpider.custom_settings["RETRY_TIMES"] <= 1


# -- the extractors, pure --------------------------------------------------------------------------


def test_remoteok_extractor_edge_cases():
    assert remoteok.extract({"last_updated": 1773720015, "legal": "API Terms of Service: …"}, Context()) is None
    assert remoteok.extract("not a record", Context()) is None
    item = remoteok.extract({
        "id": "1", "slug": "remote-x-1", "position": "Dev", "company": "Acme", "salary_min": 0, "salary_max": 0,
        "location": "", "date": "2026-03-16T00:00:03+00:00",
        "description": "<p>Hi</p>\\n<p>Weâ\x80\x99re</p><br/><br/>Please mention the word **FOX** and tag "
                       "RMabc= when applying to show you read the job post completely (#RMabc=). This is a beta "
                       "feature to avoid spam applicants.",
    }, Context())  # fmt: skip
    assert item.salary_raw is None and item.location_raw is None
    assert item.url == "https://remoteok.com/remote-jobs/remote-x-1"  # no url key: built from the slug
    assert item.description_html == "<p>Hi</p>\n<p>We’re</p>"
    assert remoteok.extract({"id": 2, "position": "X", "salary_min": 0, "salary_max": 90000}, Context()).salary_raw == (
        "up to USD 90000"
    )
    minimal = remoteok.extract({"id": "3", "epoch": 1773619203}, Context())
    assert (minimal.title, minimal.company, minimal.date_posted) == (None, None, "1773619203")


def test_remotive_extractor_keeps_free_text_as_found():
    item = remotive.extract({"id": 7, "url": "https://remotive.com/remote-jobs/x/y-7", "title": " T ",
                            "company_name": "Co ", "salary": "", "job_type": "",
                            "candidate_required_location": "USA, CST (UTC-6)",
                            "publication_date": "2025-12-14T20:45:43"}, Context())  # fmt: skip
    assert (item.source_id, item.title, item.company, item.salary_raw) == ("7", "T", "Co", None)
    assert item.location_raw == "USA, CST (UTC-6)" and item.employment_type_raw is None
    assert remotive.extract({"title": "no id"}, Context()) is None


def test_himalayas_extractor_salary_and_timezones():
    record = {"guid": "https://himalayas.app/companies/a/jobs/b", "applicationLink": "https://apply.example/b",
              "title": "B", "companyName": "A", "minSalary": 50, "maxSalary": 50, "currency": "USD",
              "salaryPeriod": "hourly", "locationRestrictions": [], "timezoneRestrictions": [5.5, 0, -3.5],
              "pubDate": 1783731390, "expiryDate": 1788915388}  # fmt: skip
    item = himalayas.extract(record, Context())
    assert item.salary_raw == "USD 50 per hour"
    assert item.location_raw == "(UTC+5:30, UTC+0, UTC-3:30)"
    assert (item.date_posted, item.valid_through, item.apply_url) == (
        "1783731390",
        "1788915388",
        "https://apply.example/b",
    )
    bare = himalayas.extract({**record, "minSalary": None, "maxSalary": None, "timezoneRestrictions": [],
                             "locationRestrictions": [{"name": "Canada"}, "Mexico"]}, Context())  # fmt: skip
    assert (bare.salary_raw, bare.location_raw) == (None, "Canada, Mexico")
    assert himalayas.extract({"title": "no guid"}, Context()) is None


def test_jobicy_extractor_missing_salary_keys_and_escapes():
    item = jobicy.extract({"id": 1, "url": "https://jobicy.com/jobs/1-x", "jobTitle": "R&amp;D Lead",
                          "companyName": "A &amp; B", "jobGeo": "LATAM,  Canada,  USA",
                          "pubDate": "2026-07-10T20:00:05+00:00"}, Context())  # fmt: skip
    assert (item.title, item.company, item.location_raw, item.salary_raw) == (
        "R&D Lead",
        "A & B",
        "LATAM, Canada, USA",
        None,
    )
    assert item.apply_url == item.url == "https://jobicy.com/jobs/1-x"
    old = jobicy.extract(
        {"id": 2, "annualSalaryMin": "60000", "annualSalaryMax": 80000, "salaryCurrency": "EUR"}, Context()
    )
    assert old.salary_raw == "EUR 60000-80000 per year"


def test_workingnomads_and_arbeitnow_extractors():
    item = workingnomads.extract({"url": "https://www.workingnomads.com/job/go/1719512/", "title": "T"}, Context())
    assert (item.source_id, item.apply_url, item.salary_raw, item.company) == ("1719512", item.url, None, None)
    assert workingnomads.extract({"title": "no url"}, Context()) is None
    remote = arbeitnow.extract({"slug": "x-1", "url": "https://www.arbeitnow.com/jobs/companies/a/x-1",
                                "location": "Berlin", "remote": True, "created_at": 1771162285}, Context())  # fmt: skip
    assert (remote.source_id, remote.location_raw, remote.date_posted) == ("x-1", "Berlin (remote)", "1771162285")
    assert arbeitnow.extract({"slug": "y-2", "location": "", "remote": True}, Context()).location_raw == "Remote"
    assert arbeitnow.extract({"slug": "z-3", "location": "Essen", "remote": False}, Context()).location_raw == "Essen"
    # Some Arbeitnow descriptions arrive HTML-escaped once more.
    escaped = arbeitnow.extract({"slug": "e-4", "description": "&lt;p&gt;Wir &amp;amp; Sie&lt;/p&gt;"}, Context())
    assert escaped.description_html == "<p>Wir &amp; Sie</p>"


@pytest.mark.parametrize(
    ("low", "high", "currency", "period", "expected"),
    [
        (0, 0, "USD", None, None),
        (None, None, "USD", "annual", None),
        (60000, 80000, "USD", "annual", "USD 60000-80000 per year"),
        (80000, 60000, "usd", "yearly", "USD 60000-80000 per year"),
        (30, 30, "USD", None, "USD 30"),
        (151000, None, "USD", "yearly", "from USD 151000 per year"),
        (17.5, 20.0, None, "hourly", "17.5-20 per hour"),
        ("n/a", -5, "USD", None, None),
    ],
)
def test_salary_text_from_structured_fields(low, high, currency, period, expected):
    assert salary_text(low, high, currency, period) == expected


def test_remote_only_boards_come_out_remote(crawled):
    """Boards declaring item_defaults = {"workplace": "remote"}: their recorded postings are remote
    (where the posting itself names only a country, a region or nothing), countries kept."""
    boards = [name for name, spider in SPIDERS.items() if getattr(spider, "item_defaults", None)]
    assert set(boards) == {"remoteok", "remotive", "himalayas", "jobicy", "workingnomads"}
    rows = [row for board in boards for row in crawled[board]["postings"]]
    assert sum(row["workplace"] == "remote" for row in rows) / len(rows) >= 0.995
    assert any(_json(row["countries"]) for row in rows if row["workplace"] == "remote")
