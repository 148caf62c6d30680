"""`aggregator serve` (aggregator.web) over a database filled by a real crawl of the recorded remotewlb site,
on SQLite and PostgreSQL: the search page, job pages, the JSON API, feeds, exports, 400s and safety."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser

import feedparser
import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from aggregator import repository
from aggregator.db import make_engine, read_only_engine, upgrade_to_head
from aggregator.job_assignment import assign_jobs
from aggregator.web import create_app
from tests.conftest import ROOT, as_json, query
from tests.test_query import posting


@pytest.fixture(scope="module")
def crawled(remotewlb_crawled_twice):
    url = remotewlb_crawled_twice["url"]
    engine = read_only_engine(url)
    with TestClient(create_app(engine)) as client:
        yield url, client
    engine.dispose()


def open_jobs(url: str) -> dict[int, list[dict]]:
    """The open postings of each job, straight from the database."""
    jobs: dict[int, list[dict]] = {}
    for row in query(url, "SELECT * FROM postings WHERE closed_at IS NULL AND job_id IS NOT NULL"):
        row["countries"] = as_json(row["countries"])
        jobs.setdefault(row["job_id"], []).append(row)
    return jobs


def all_api_jobs(client, **params) -> list[dict]:
    jobs, page = [], 1
    while True:
        answer = client.get("/api/jobs", params={**params, "page": page, "limit": 100})
        assert answer.status_code == 200, answer.text
        jobs += answer.json()["jobs"]
        if len(jobs) >= answer.json()["total"]:
            return jobs
        page += 1


def test_the_api_lists_every_open_job_once(crawled):
    url, client = crawled
    expected = open_jobs(url)
    assert expected, "the crawl stored jobs"
    answer = client.get("/api/jobs").json()
    assert answer["total"] == len(expected) and len(answer["jobs"]) == min(20, len(expected))
    jobs = all_api_jobs(client)
    assert sorted(job["id"] for job in jobs) == sorted(expected)
    for job in jobs:
        assert job["boards"] == len({p["source"] for p in expected[job["id"]]})
        assert {"id", "title", "company", "countries", "workplace", "tz_min", "tz_max", "salary_min", "salary_max",
                "salary_currency", "salary_period", "first_seen_at", "boards", "url"} <= set(job)  # fmt: skip
    newest_first = [job["first_seen_at"] for job in jobs]
    assert newest_first == sorted(newest_first, reverse=True)


def test_country_and_text_filters_match_the_database(crawled):
    url, client = crawled
    expected = open_jobs(url)
    countries = sorted({c for postings in expected.values() for p in postings for c in p["countries"]})
    assert countries, "the recorded postings name countries"
    for country in countries[:3]:
        having = {job for job, postings in expected.items() if any(country in p["countries"] for p in postings)}
        assert {job["id"] for job in all_api_jobs(client, country=country)} == having
    developer = {
        job for job, postings in expected.items() if any("develop" in (p["title"] or "").lower() for p in postings)
    }
    found = {job["id"] for job in all_api_jobs(client, q="developer")}
    assert developer <= found


def test_remote_and_timezone_filters(crawled):
    url, client = crawled
    expected = open_jobs(url)
    remote = {job for job, postings in expected.items() if any(p["workplace"] == "remote" for p in postings)}
    assert {job["id"] for job in all_api_jobs(client, remote_only=1)} == remote
    for job in all_api_jobs(client, timezone="UTC+1", strict_timezone=1):
        postings = expected[job["id"]]
        assert any(p["tz_min"] is not None and p["workplace"] == "remote" for p in postings)


def test_search_page_shows_results_paging_and_links(crawled):
    url, client = crawled
    total = len(open_jobs(url))
    page = client.get("/", params={"limit": 5})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert f"{total} job" in page.text
    assert len(re.findall(r'<tr class="job">', page.text)) == min(5, total)
    assert re.search(r'href="/jobs/\d+"', page.text)
    assert 'href="/feed.atom?limit=5"' not in page.text  # feeds and exports drop the paging
    if total > 5:
        assert 'rel="next"' in page.text and "page=2" in page.text
    assert 'name="timezone"' in page.text and 'name="country"' in page.text and 'name="min_salary"' in page.text


def test_job_page_has_postings_description_and_json_ld(crawled):
    url, client = crawled
    job_id, postings = next(iter(open_jobs(url).items()))
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200
    every = query(url, "SELECT id FROM postings WHERE job_id = :job", job=job_id)
    assert page.text.count('<tr class="posting">') == len(every)
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    ld = json.loads(block)
    assert ld["@type"] == "JobPosting" and ld["title"] == client.get(f"/api/jobs/{job_id}").json()["title"]
    detail = client.get(f"/api/jobs/{job_id}").json()
    assert {p["id"] for p in detail["postings"]} == {row["id"] for row in every}
    assert all(p["dedup_reason"] for p in detail["postings"])
    assert client.get("/jobs/99999999").status_code == 404
    assert client.get("/api/jobs/99999999").status_code == 404


def test_feed_parses(crawled):
    url, client = crawled
    answer = client.get("/feed.atom", params={"q": "developer"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.bozo_exception
    total = client.get("/api/jobs", params={"q": "developer"}).json()["total"]
    assert len(feed.entries) == min(total, 50) > 0
    assert all(re.search(r"/jobs/\d+$", entry.link) for entry in feed.entries)


def test_exports_hold_every_match(crawled):
    url, client = crawled
    ids = sorted(job["id"] for job in all_api_jobs(client))
    exported = client.get("/export.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(int(row["id"]) for row in rows) == ids
    lines = client.get("/export.ndjson").text.splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == ids


@pytest.mark.parametrize(
    "path, params, parameter",
    [
        ("/api/jobs", {"colour": "red"}, "colour"),
        ("/api/jobs", {"min_salary": "lots", "currency": "EUR"}, "min_salary"),
        ("/api/jobs", {"country": "Germany"}, "country"),
        ("/api/jobs", {"limit": "1000"}, "limit"),
        ("/api/jobs", {"page": "0"}, "page"),
        ("/api/jobs", {"q": "NOT java"}, "q"),
        ("/api/jobs", {"since": "last tuesday"}, "since"),
        ("/", {"timezone": "Mars/Olympus"}, "timezone"),
        ("/", {"limit": "x"}, "limit"),
        ("/feed.atom", {"remote_only": "maybe"}, "remote_only"),
        ("/export.csv", {"region": "ATLANTIS"}, "region"),
        ("/export.ndjson", {"page": "2"}, "page"),
        ("/jobs/1", {"x": "1"}, "x"),
    ],
)
def test_bad_parameters_are_400s_that_name_them(crawled, path, params, parameter):
    _, client = crawled
    answer = client.get(path, params=params)
    assert answer.status_code == 400, answer.text
    if answer.headers["content-type"].startswith("application/json"):
        assert answer.json()["parameter"] == parameter
    else:
        assert parameter in answer.text
    assert client.get("/api/jobs/abc").status_code == 400


def test_openapi_documents_the_api(crawled):
    _, client = crawled
    schema = client.get("/openapi.json").json()
    names = {parameter["name"] for parameter in schema["paths"]["/api/jobs"]["get"]["parameters"]}
    assert names == {"q", "country", "region", "timezone", "strict_timezone", "remote_only", "worldwide",
                     "min_salary", "currency", "since", "seniority", "employment_type", "exclude_company", "sort",
                     "page", "limit"}  # fmt: skip
    assert "/api/jobs/{job_id}" in schema["paths"] and "/feed.atom" in schema["paths"]
    job = schema["components"]["schemas"]["JobOut"]["properties"]
    assert {"boards", "salary_currency", "tz_min", "first_seen_at"} <= set(job)


def test_runs_page_shows_each_board(crawled):
    url, client = crawled
    page = client.get("/runs")
    runs = query(url, "SELECT spider, status FROM crawl_runs")
    assert page.status_code == 200 and 'id="board-remotewlb"' in page.text
    assert page.text.count('<tr class="run ') == len(runs)


def test_security_headers(crawled):
    _, client = crawled
    for path in ("/", "/api/jobs", "/runs"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy and "script-src" not in policy


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_posting_content_is_escaped_and_sanitised(database_url):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    written = repository.upsert_postings(
        engine,
        [
            posting(
                "alpha",
                "evil",
                f"Engineer {hostile}",
                "Go",
                company=f"Evil {hostile}",
                description_html=f"<p>Fine text</p>{hostile}<a href='javascript:alert(1)'>x</a>",
            )
        ],  # fmt: skip
        None,
    ).written_ids
    assign_jobs(engine, written)
    engine.dispose()
    reader = read_only_engine(database_url)
    with TestClient(create_app(reader)) as client:
        (job,) = client.get("/api/jobs").json()["jobs"]
        for path in ("/", f"/jobs/{job['id']}", "/feed.atom"):
            page = client.get(path).text
            parser = _Tags()
            parser.feed(page)
            scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
            assert all(attrs.get("type") == "application/ld+json" for attrs in scripts), path
            assert not any("onerror" in attrs for _, attrs in parser.tags), path
            assert "javascript:" not in page
        assert "Fine text" in client.get(f"/jobs/{job['id']}").text
    reader.dispose()


def test_the_web_engine_cannot_write(database_url):
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    engine.dispose()
    reader = read_only_engine(database_url)
    with pytest.raises(DBAPIError), reader.begin() as connection:
        connection.execute(text("DELETE FROM postings"))
    reader.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_aggregator_serve_answers_on_loopback(remotewlb_crawled_twice, tmp_path):
    """The real command: uvicorn on a loopback port, the database from the environment."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "AGGREGATOR_DATABASE_URL": remotewlb_crawled_twice["url"], "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(300):  # until it listens (or gives up after ~30 s)
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/jobs", params={"limit": 1}, timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.1)
        else:
            pytest.fail("aggregator serve did not start")
        assert answer.status_code == 200 and answer.json()["total"] >= 1
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_empty_form_fields_mean_no_filter(crawled):
    """A submitted form sends every field, most of them empty: the page, its links and the API take that."""
    _, client = crawled
    empty = "q=&country=&region=&timezone=&min_salary=&currency=&since=&seniority=&employment_type=&sort="
    everything = client.get("/api/jobs").json()["total"]
    assert client.get(f"/api/jobs?{empty}&page=&limit=").json()["total"] == everything
    page = client.get(f"/?{empty}&exclude_company=")
    assert page.status_code == 200
    for link in re.findall(r'href="(/(?:export|feed)[^"]*)"', page.text):
        answer = client.get(link.replace("&amp;", "&"))
        assert answer.status_code == 200, (link, answer.text)
