"""We Work Remotely (RSS), Greenhouse / Lever / Ashby (ATS APIs) and the generic JobPosting spider.

Each board's recorded responses are crawled through the real `scrapy crawl` at the board's real
URLs into a database of its own, on SQLite and on PostgreSQL, and checked field by field against
the folder's expected.jsonl. The crawls of a backend run in parallel (each is a subprocess behind
its own replay proxy), once per module. Pure unit tests of
the extractors' edge cases follow.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from aggregator.bases.ats import parse_boards
from aggregator.bases.feed import NotAFeed, feed_entries
from aggregator.extract import ashby, greenhouse, jobposting, lever, weworkremotely
from aggregator.extract.context import Context
from aggregator.extract.jobposting import base_salary_text
from aggregator.normalise.dates import start_moment
from tests.conftest import BACKENDS, FIXTURES, as_json, as_moment, fresh_database, load_expected, query, run_crawl

FIELDS = ("url", "source_id", "title", "company", "apply_url", "date_posted", "salary_raw", "location_raw")
WWR = FIXTURES / "weworkremotely"
INDEED = "https://au.indeed.com/viewjob?jk=54f1f8af68d722d2"
SEEK = "https://au.seek.com/job/93856863"
SITEMAP = "https://careers.example.com/sitemap.xml"

# name: (spider, snapshot folder, expected folder, extra arguments)
CRAWLS = {
    "wwr-2026": ("weworkremotely", WWR, WWR, ()),
    "wwr-2022": ("weworkremotely", WWR / "2022", WWR / "2022", ("-a", "feeds=https://weworkremotely.com/remote-jobs.rss")),
    # The argument beats the setting; an unknown board costs nothing but a stored fetch problem.
    "greenhouse": ("greenhouse", FIXTURES / "greenhouse", FIXTURES / "greenhouse",
                   ("-s", "GREENHOUSE_BOARDS=overridden", "-a", "boards=gitlab,nosuchco")),
    "lever": ("lever", FIXTURES / "lever", FIXTURES / "lever", ("-s", "LEVER_BOARDS=matchgroup")),
    "ashby": ("ashby", FIXTURES / "ashby", FIXTURES / "ashby", ("-a", "boards=linear")),
    "jobposting": ("jobposting", FIXTURES / "jobposting", FIXTURES / "jobposting",
                   ("-a", f"sitemap={SITEMAP}", "-a", "follow=jobs", "-a", r"allow=viewjob|/job/\d+")),
    "no-boards": ("greenhouse", FIXTURES / "greenhouse", None, ()),
}  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def crawls(request, tmp_path_factory) -> Iterator[dict]:
    with ExitStack() as databases:
        urls = {
            name: databases.enter_context(fresh_database(request.param, tmp_path_factory.mktemp(name)))
            for name in CRAWLS
        }

        def crawl(name: str):
            spider, snapshot, _, args = CRAWLS[name]
            return name, {"result": run_crawl(spider, [snapshot], urls[name], *args), "db": urls[name]}

        with ThreadPoolExecutor(max_workers=3) as pool:
            yield dict(pool.map(crawl, CRAWLS))


def stored(crawl: dict) -> dict[str, dict]:
    return {row["url"]: row for row in query(crawl["db"], "SELECT * FROM postings")}


def run_record(crawl: dict) -> dict:
    (run,) = query(crawl["db"], "SELECT * FROM crawl_runs")
    run["stats"] = as_json(run["stats"])
    return run


@pytest.mark.parametrize("name", list(CRAWLS))
def test_crawl_exits_cleanly_with_an_honest_user_agent(crawls, name):
    result = crawls[name]["result"]
    # A crawl with no boards to read stores nothing: its run failed, and so does the command.
    assert result.returncode == (1 if name == "no-boards" else 0), result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    for request in result.requests:
        assert re.match(r"remote-job-aggregator/\S+ \(\+https?://", request["user_agent"])


@pytest.mark.parametrize("name", [name for name, crawl in CRAWLS.items() if crawl[2] is not None])
def test_every_expected_posting_is_stored_field_by_field(crawls, name):
    spider, _, expected_folder, _ = CRAWLS[name]
    expected = load_expected(expected_folder)
    rows = stored(crawls[name])
    assert len(rows) == len(expected), sorted(rows)
    for posting in expected:
        row = rows.get(posting["url"])
        assert row is not None, posting["url"]
        assert row["source"] == spider
        for field in FIELDS:
            value = as_moment(row[field]) if field == "date_posted" else row[field]
            wanted = start_moment(posting[field]) if field == "date_posted" else posting[field]
            assert value == wanted, (posting["url"], field, row[field])
        assert row["description_html"], posting["url"]
    run = run_record(crawls[name])
    assert run["status"] == "ok" and run["items_scraped"] == len(expected)


def test_wwr_reads_every_feed_and_counts_the_missing_ones(crawls):
    crawl = crawls["wwr-2026"]
    fetched = [r["url"] for r in crawl["result"].requests]
    assert "https://weworkremotely.com/remote-jobs.rss" in fetched
    assert "https://weworkremotely.com/categories/remote-programming-jobs.rss" in fetched
    missing = [r["url"] for r in crawl["result"].requests if r["status"] == 404 and r["url"].endswith(".rss")]
    assert run_record(crawl)["errors"] == len(missing)  # the snapshot holds only the all-jobs feed
    rejects = query(crawl["db"], "SELECT url, stage, reason FROM rejects")
    assert {(r["url"], r["stage"], r["reason"]) for r in rejects} == {(url, "fetch", "HTTP 404") for url in missing}


def test_wwr_2026_schema_keeps_headquarters_as_a_hint_not_as_the_location(crawls):
    row = stored(crawls["wwr-2026"])["https://weworkremotely.com/remote-jobs/mathmo-maths-coach"]
    raw = json.loads(row["raw"]) if isinstance(row["raw"], str) else row["raw"]
    assert row["location_raw"] == "Anywhere in the World" and row["worldwide"]
    assert raw["job_location_raw"]["address"]["addressRegion"] == "London"
    assert raw["employment_type_raw"] == "Contract"
    assert as_moment(row["valid_through"]) == datetime(2026, 8, 9, 22, 45, 30, tzinfo=UTC)


def test_wwr_2022_feed_has_no_errors(crawls):
    run = run_record(crawls["wwr-2022"])
    assert run["errors"] == 0
    assert run["stats"]["aggregator/feed/entries"] == 100


def test_greenhouse_description_is_unescaped_html(crawls):
    row = stored(crawls["greenhouse"])["https://job-boards.greenhouse.io/gitlab/jobs/8565469002"]
    assert row["description_html"].startswith("<div")
    assert "&lt;" not in row["description_html"]
    assert (row["salary_min"], row["salary_max"], row["salary_currency"]) == (108400, 129600, "USD")


def test_lever_builds_salary_from_its_range_and_keeps_the_workplace(crawls):
    rows = stored(crawls["lever"])
    row = rows["https://jobs.lever.co/matchgroup/3414ba28-35f7-45d3-8e13-35c883959635"]
    assert (row["salary_min"], row["salary_max"], row["salary_period"]) == (150000, 180000, "year")
    assert "Responsibilities" in row["description_html"]  # the lists are part of the posting


def test_no_boards_configured_means_no_requests_and_a_clear_message(crawls):
    result = crawls["no-boards"]["result"]
    assert result.requests == []
    assert "no boards configured" in result.log
    assert "GREENHOUSE_BOARDS" in result.log
    assert query(crawls["no-boards"]["db"], "SELECT COUNT(*) AS n FROM postings")[0]["n"] == 0


def test_an_unknown_board_is_a_stored_fetch_problem_and_the_argument_beats_the_setting(crawls):
    crawl = crawls["greenhouse"]
    urls = [r["url"] for r in crawl["result"].requests]
    assert not any("overridden" in url for url in urls)
    rejects = query(crawl["db"], "SELECT url, stage, reason FROM rejects")
    assert rejects == [{"url": "https://boards-api.greenhouse.io/v1/boards/nosuchco/jobs?content=true",
                        "stage": "fetch", "reason": "HTTP 404"}]  # fmt: skip


def test_a_page_without_jobposting_is_a_stored_reject(crawls):
    crawl = crawls["jobposting"]
    assert SEEK in [r["url"] for r in crawl["result"].requests]
    assert SEEK not in stored(crawl)
    run = run_record(crawl)
    assert run["stats"]["aggregator/pages/no_posting"] == 1
    assert run["errors"] == 1 and run["items_rejected"] == 0
    rejects = query(crawl["db"], "SELECT url, stage, reason FROM rejects")
    assert [(r["url"], r["stage"]) for r in rejects] == [(SEEK, "extract")]
    assert rejects[0]["reason"].startswith("no job posting found on the page")


def test_jobposting_follows_and_allows_only_matching_urls(crawls):
    fetched = [r["url"] for r in crawls["jobposting"]["result"].requests]
    assert "https://careers.example.com/sitemap-jobs.xml" in fetched
    assert "https://careers.example.com/sitemap-pages.xml" not in fetched  # follow=jobs
    assert "https://careers.example.com/about" not in fetched  # allow=…
    row = stored(crawls["jobposting"])[INDEED]
    assert (row["salary_min"], row["salary_max"], row["salary_currency"]) == (130000, 160000, "AUD")
    assert row["countries"] in (["AU"], '["AU"]')
    assert row["employment_type"] is not None


def test_jobposting_urls_and_robots_arguments():
    from spiders.jobposting import JobPostingSpider

    settings = {"USER_AGENT_TEMPLATE": "t (+{contact_url})", "CONTACT_URL": "https://t", "FULL_RECRAWL": True}
    crawler = get_crawler(JobPostingSpider, settings)
    sitemaps = "https://acme.test/robots.txt,https://acme.test/jobs.xml"
    spider = JobPostingSpider.from_crawler(crawler, urls=f"{INDEED}, {SEEK}", sitemap=sitemaps)

    async def collect():
        return [request async for request in spider.start()]

    requests = asyncio.run(collect())
    assert [r.url for r in requests] == ["https://acme.test/robots.txt", "https://acme.test/jobs.xml", INDEED, SEEK]
    callbacks = ["parse_robots", "parse_sitemap", "parse_posting", "parse_posting"]
    assert [r.callback.__name__ for r in requests] == callbacks
    assert JobPostingSpider.sitemap_urls == () and JobPostingSpider.robots_url is None  # class left alone


# --- pure unit tests: the edge cases the recordings do not all show -----------------------------


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Acme: Senior Engineer", ("Acme", "Senior Engineer")),
        ("Acme: Engineer: Platform (Remote)", ("Acme", "Engineer: Platform (Remote)")),
        ("No company here", (None, "No company here")),
        ("Ratio 1:2 Labs", (None, "Ratio 1:2 Labs")),
        (": Title only", (None, ": Title only")),
        ("  Acme:   Lead  Dev ", ("Acme", "Lead Dev")),
        (None, (None, None)),
    ],
)
def test_wwr_title_split(title, expected):
    assert weworkremotely.split_title(title) == expected


def test_wwr_item_of_a_category_feed_without_type_or_expiry():
    item = weworkremotely.extract({
        "title": "Acme: Back-End Engineer", "region": "USA Only", "category": "Back-End Programming",
        "description": "<p>Build.</p><p><strong>To apply:</strong> <a href=\"mailto:jobs@acme.test\">x</a></p>",
        "pubDate": "Tue, 08 Nov 2022 00:08:24 +0000", "guid": "https://weworkremotely.com/listings/acme-back-end",
        "link": "https://weworkremotely.com/listings/acme-back-end",
    }, Context())  # fmt: skip
    assert (item.source_id, item.company, item.title) == ("acme-back-end", "Acme", "Back-End Engineer")
    assert item.apply_url == "mailto:jobs@acme.test"
    assert item.valid_through is None and item.employment_type_raw is None
    assert item.location_raw == "USA Only"


def test_wwr_country_and_state_stand_in_only_without_a_region():
    item = weworkremotely.extract({"title": "Acme: Dev", "link": "https://weworkremotely.com/remote-jobs/a",
                                   "country": "Germany", "state": "Berlin", "region": ""}, Context())  # fmt: skip
    assert item.location_raw == "Berlin, Germany"
    assert item.apply_url == "https://weworkremotely.com/remote-jobs/a"


def test_feed_entries_read_atom_namespaces_and_reject_non_feeds():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
      <entry><title>Acme: Dev &amp; Ops</title><link rel="enclosure" href="https://x.test/logo.png"/>
        <link href="https://x.test/jobs/1"/><media:content url="https://x.test/l.png"/>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div></content></entry>
    </feed>"""
    (entry,) = feed_entries(atom)
    assert entry["title"] == "Acme: Dev & Ops"
    assert entry["link"] == "https://x.test/jobs/1"
    assert entry["media:content"] == "https://x.test/l.png"
    assert "<p" in entry["content"]
    assert feed_entries(b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>') == []
    for body in (b"", b"<html><body>Service unavailable</body></html>", b'{"jobs": []}'):
        with pytest.raises(NotAFeed):
            feed_entries(body)


def test_feed_entries_honour_the_declared_encoding():
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item><title>Café: Chef</title>' \
           "</item></channel></rss>"  # fmt: skip
    (entry,) = feed_entries(body.encode("latin-1"))
    assert entry["title"] == "Café: Chef"


def test_greenhouse_content_is_unescaped_once_and_old_boards_fall_back_to_updated_at():
    record = {"id": 7, "title": "Dev", "absolute_url": "https://boards.greenhouse.io/acme/jobs/7",
              "updated_at": "2016-01-14T10:55:28-05:00", "location": {"name": "NYC"},
              "content": "&lt;p&gt;Use &amp;amp;lt;b&amp;amp;gt; tags&lt;/p&gt;", "metadata": None}  # fmt: skip
    item = greenhouse.extract(record, Context(board="acme"))
    assert item.description_html == "<p>Use &amp;lt;b&amp;gt; tags</p>"
    assert item.company == "acme" and item.date_posted == "2016-01-14T10:55:28-05:00"
    assert item.salary_raw is None and item.source_id == "7"
    plain = greenhouse.extract({**record, "content": "<p>plain</p>"}, Context(board="acme"))
    assert plain.description_html == "<p>plain</p>"


@pytest.mark.parametrize(
    "salary_range, expected",
    [
        ({"interval": "per-year-salary", "currency": "USD", "min": 12e4, "max": 15e4}, "USD 120000-150000 per year"),
        ({"interval": "per-hour-wage", "currency": "EUR", "min": 40, "max": 40}, "EUR 40 per hour"),
        ({"interval": "per-month-salary", "currency": "GBP", "min": 0, "max": 5000.0}, "GBP 5000 per month"),
        ({"interval": "per-year-salary", "currency": "USD", "min": 0, "max": 0}, None),
        (None, None),
    ],
)
def test_lever_salary_range(salary_range, expected):
    assert lever.lever_salary(salary_range)[1] == expected


def test_lever_record_without_optional_parts():
    item = lever.extract({"id": "u-1", "text": "Dev", "categories": {"allLocations": ["Paris", "Lyon"]},
                         "hostedUrl": "https://jobs.eu.lever.co/acme/u-1", "createdAt": 1700000000000,
                         "workplaceType": "remote"}, Context(board="acme", company="Acme Corp"))  # fmt: skip
    assert item.company == "Acme Corp" and item.location_raw == "Paris; Lyon"
    assert item.date_posted == "1700000000000" and item.job_location_type_raw == "remote"
    assert item.salary_raw is None and item.apply_url is None


def test_ashby_compensation_unlisted_and_secondary_locations():
    record = {
        "id": "a-1", "title": "PM", "location": "Houston, TX", "isListed": True, "isRemote": True,
        "secondaryLocations": [{"location": "San Francisco", "address": {"addressLocality": "San Francisco",
                                                                         "addressCountry": "USA"}}],
        "address": {"postalAddress": {"addressLocality": "Houston", "addressCountry": "USA"}},
        "jobUrl": "https://jobs.ashbyhq.com/acme/a-1", "publishedAt": "2021-04-30T16:21:55.393+00:00",
        "compensation": {"scrapeableCompensationSalarySummary": "$81K - $87K", "compensationTiers": [
            {"components": [{"compensationType": "EquityPercentage", "interval": "NONE", "minValue": 0.5},
                            {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD",
                             "minValue": 81000, "maxValue": 87000}]}]},
    }  # fmt: skip
    item = ashby.extract(record, Context(board="acme"))
    assert item.salary_raw == "USD 81000-87000 per year"
    assert item.job_location_type_raw == "Remote"
    assert [place["address"]["addressLocality"] for place in item.job_location_raw] == ["Houston", "San Francisco"]
    summary_only = {**record, "compensation": {"scrapeableCompensationSalarySummary": "$81K - $87K"}}
    assert ashby.extract(summary_only, Context(board="acme")).salary_raw == "$81K - $87K"
    assert ashby.extract({**record, "isListed": False}, Context(board="acme")) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("gitlab, canonical", {"gitlab": None, "canonical": None}),
        (["gitlab", " "], {"gitlab": None}),
        ("gitlab,matchgroup=Match Group", {"gitlab": None, "matchgroup": "Match Group"}),
        ('{"gitlab": "GitLab Inc."}', {"gitlab": "GitLab Inc."}),
        ({"linear": None}, {"linear": None}),
        (None, {}),
        ("", {}),
    ],
)
def test_board_configuration(value, expected):
    assert parse_boards(value) == expected


def posting_and_warnings(url: str, html: str):
    """The page's posting and the warnings its extractor left in the context."""
    context = Context(url=url)
    return jobposting.extract(html, context), context.warnings


def _page(ld: dict) -> str:
    return f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body></body></html>'


def test_jobposting_in_a_graph_with_identifier_and_telecommute():
    ld = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "x"}, {
        "@type": "JobPosting", "title": "Dev", "identifier": {"@type": "PropertyValue", "name": "Acme", "value": "J-9"},
        "hiringOrganization": "Acme", "datePosted": "2024-05-01", "jobLocationType": "TELECOMMUTE",
        "applicantLocationRequirements": {"@type": "Country", "name": "Germany"},
        "jobLocation": {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": "DE"}},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
                       "value": {"value": 70000, "unitText": "YEAR"}}}]}  # fmt: skip
    item, problems = posting_and_warnings("https://acme.test/jobs/9", _page(ld))
    assert (item.source_id, item.source_key, item.company) == ("J-9", "https://acme.test/jobs/9", "Acme")
    assert item.location_raw is None  # remote: the structured fields speak, not the office address
    assert item.salary_raw == "EUR 70000 per year" and item.apply_url is None
    assert problems == []


def test_jobposting_from_microdata_and_pages_without_one():
    pytest.importorskip("extruct")
    html = ('<div itemscope itemtype="https://schema.org/JobPosting"><h1 itemprop="title">Welder</h1>'
            '<span itemprop="hiringOrganization">Acme</span><meta itemprop="datePosted" content="2024-02-03">'
            '<div itemprop="jobLocation" itemscope itemtype="https://schema.org/Place"><div itemprop="address" '
            'itemscope itemtype="https://schema.org/PostalAddress"><span itemprop="addressLocality">Leeds</span>'
            '<span itemprop="addressCountry">GB</span></div></div></div>')  # fmt: skip
    item, problems = posting_and_warnings("https://acme.test/j/1", html)
    assert (item.title, item.company, item.date_posted, item.location_raw) == ("Welder", "Acme", "2024-02-03",
                                                                               "Leeds, GB")  # fmt: skip
    assert problems == ["JobPosting read from microdata"]
    assert posting_and_warnings("https://acme.test/", _page({"@type": "WebSite"})) == (None, [])
    assert posting_and_warnings("https://acme.test/", "<html><body>nothing</body></html>") == (None, [])


@pytest.mark.parametrize(
    "base_salary, expected",
    [
        ({"currency": "AUD", "value": {"minValue": 130000, "maxValue": 160000, "unitText": "YEAR"}},
         "AUD 130000-160000 per year"),
        ({"currency": "USD", "value": 25, "unitText": "HOUR"}, "USD 25 per hour"),
        ("$50k-$60k", "$50k-$60k"),
        ([{"currency": "USD", "value": {"minValue": 0}}, {"currency": "USD", "value": {"value": 90000}}], "USD 90000"),
        (None, None),
    ],
)  # fmt: skip
def test_base_salary_text(base_salary, expected):
    assert base_salary_text(base_salary) == expected


def test_fixture_bodies_are_the_real_captures():
    # The snapshots must hold real responses at real URLs (see each folder's README.md).
    for folder in (WWR, WWR / "2022", *(FIXTURES / name for name in ("greenhouse", "lever", "ashby", "jobposting"))):
        for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            assert entry["url"].startswith("https://")
            for response in entry["responses"]:
                assert Path(folder / response["body"]).stat().st_size > 0


def test_remote_only_boards_come_out_remote(crawls):
    """We Work Remotely declares item_defaults = {"workplace": "remote"}: its recorded postings are remote."""
    rows = [row for name in ("wwr-2026", "wwr-2022") for row in stored(crawls[name]).values()]
    assert sum(row["workplace"] == "remote" for row in rows) / len(rows) >= 0.995
