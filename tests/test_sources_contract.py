"""Contract tests of the issue-15 sources, through the real Scrapy machinery, on SQLite and PostgreSQL.

Every source is crawled from its recorded real responses (``tests/fixtures/<source>/``) plus a
synthetic snapshot of the cases the recordings do not show: an empty board or feed, a garbled
body, a server error, a record without a title, and (for the paged APIs) a second page. All the
crawls of one backend run in ONE Scrapy process (``tests.multi_crawl``) behind one replay proxy,
so the whole module costs two process start-ups.

Checked per source: every expected posting stored field by field; the reject kept with its URL
and reason; empty and garbled responses and HTTP errors stored as fetch problems, never a crash;
paging stops on the last page.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from aggregator.normalise.dates import start_moment
from aggregator.replay import ReplayProxy, Snapshot
from tests.conftest import (
    BACKENDS,
    FIXTURES,
    ROOT,
    as_json,
    as_moment,
    fresh_database,
    load_expected,
    query,
    write_snapshot,
)  # fmt: skip

FIELDS = ("url", "source_id", "title", "company", "apply_url", "date_posted", "salary_raw", "location_raw")
GARBLED = "<html><body>Service temporarily unavailable</body></html>"
DOWN = [{"status": 500, "headers": {"Content-Type": "text/html"}, "text": "<html>500</html>"}]
HN_SEARCH = "https://hn.algolia.com/api/v1/search_by_date?page={page}&query=hiring&tags=story%2C%28author__whoishiring%2C+author_whoishiring%29"


def _ok(text: str, content_type: str = "application/json") -> list[dict]:
    return [{"status": 200, "headers": {"Content-Type": content_type}, "text": text}]


def _body(source: str, name: str) -> str:
    (path,) = (FIXTURES / source / "body").glob(f"*{name}*")
    return path.read_text(encoding="utf-8")


def _without_first_title(source: str, name: str, records: str, *titles: str) -> str:
    data = json.loads(_body(source, name))
    entries = data[records] if records else data
    entries[0] = {key: value for key, value in entries[0].items() if key not in titles}
    if records:
        data[records] = entries[:1]
    return json.dumps(data)


# -- the ATS spiders: one crawl each, the real board plus the synthetic ones -----------------------

# spider: (real board, empty board body, record-without-title board body or None)
ATS = {
    "workable": ("workable", '{"name": "Emptyco", "jobs": []}',
                 lambda: _without_first_title("workable", "widget", "jobs", "title")),
    "smartrecruiters": ("hirevue", '{"offset": 0, "limit": 100, "totalFound": 0, "content": []}', None),
    "recruitee": ("acme", '{"offers": []}', lambda: _without_first_title("recruitee", "offers", "offers", "title")),
    "personio": ("personio-integration-test.jobs.personio.com", "<workzag-jobs></workzag-jobs>",
                 lambda: re.sub(r"<name>[^<]*</name>", "<name></name>", _body("personio", "xml"), count=1)),
    "teamtailor": ("career.teamtailor.com", '{"version": "https://jsonfeed.org/version/1.1", "items": []}',
                   lambda: _without_first_title("teamtailor", "teamtailor", "items", "title", "_jobposting")),
    "bamboohr": ("acme", '{"meta": {"totalCount": 0}, "result": []}',
                 lambda: _without_first_title("bamboohr", "bamboohr", "result", "jobOpeningName")),
    "workday": ("gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site", '{"total": 0, "jobPostings": []}', None),
}  # fmt: skip
SYNTHETIC_BOARDS = ("emptyco", "garbledco", "downco", "badco")


def _board_token(spider: str, name: str) -> str:
    """A synthetic board in the shape the spider's configuration takes."""
    if spider == "workday":
        return f"{name}.wd1.myworkdayjobs.com/{name}/Careers"
    if spider in ("personio", "teamtailor"):
        return f"{name}.example-careers.test"
    return name


def _board_url(spider: str, token: str) -> str:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    spidercls = SpiderLoader.from_settings(get_project_settings()).load(spider)
    settings = {"USER_AGENT_TEMPLATE": "t (+{contact_url})", "CONTACT_URL": "https://t"}
    arguments = {"boards": token, **({"language": "en"} if spider == "personio" else {})}
    instance = spidercls.from_crawler(get_crawler(spidercls, settings), **arguments)
    return instance.board_request(token, None).url


# -- the feeds: the real feed plus synthetic feeds on the same host ----------------------------------

FEEDS = {
    "nodesk": "https://nodesk.co/remote-jobs/index.xml",
    "jobspresso": "https://jobspresso.co/?feed=job_feed",
    "euremotejobs": "https://euremotejobs.com/?feed=job_feed",
}
EMPTY_FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'


def _untitled_feed(source: str) -> str:
    """The real feed's first item alone, its title blanked and its links moved (a new posting)."""
    body = _body(source, source)
    start, end = body.index("<item>"), body.index("</item>") + len("</item>")
    item = re.sub(r"<title>.*?</title>", "<title></title>", body[start:end], count=1, flags=re.S)
    item = re.sub(r"(/job/|/remote-jobs/)[^<\s/]+/", r"\1untitled-posting/", item)
    item = re.sub(r"<post-id[^>]*>\d+</post-id>", "", item).replace("p=", "p=1")
    return body[:start] + item + "</channel></rss>"


def _synthetic(folder: Path) -> tuple[Path, list[dict]]:
    """The synthetic snapshot and the list of crawls (real and synthetic) for one process."""
    pages: dict[str, list[dict]] = {}
    crawls: list[dict] = []
    for spider, (real, empty, untitled) in ATS.items():
        tokens = {name: _board_token(spider, name) for name in SYNTHETIC_BOARDS}
        pages[_board_url(spider, tokens["emptyco"])] = _ok(empty)
        pages[_board_url(spider, tokens["garbledco"])] = _ok(GARBLED, "text/html")
        pages[_board_url(spider, tokens["downco"])] = DOWN
        boards = [real, tokens["emptyco"], tokens["garbledco"], tokens["downco"]]
        if untitled:
            pages[_board_url(spider, tokens["badco"])] = _ok(untitled())
            boards.append(tokens["badco"])
        args = {"boards": ",".join(boards)}
        if spider == "personio":
            args["language"] = "en"
        crawls.append({"spider": spider, "args": args})
    crawls.append({"spider": "workable", "args": {"boards": "bg-prevent", "api": "v3"}})
    # Paging: SmartRecruiters' second page of a 101-posting board, Workday's second page of 24.
    listed = json.loads(_body("smartrecruiters", "postings_"))
    entry = listed["content"][0]
    first = [{**entry, "id": str(9000 + n), "name": f"Engineer {n}", "ref": None} for n in range(100)]
    paged = "https://api.smartrecruiters.com/v1/companies/pagedco/postings?limit=100&offset="
    pages[paged + "0"] = _ok(json.dumps({"offset": 0, "limit": 100, "totalFound": 101, "content": first}))
    pages[paged + "100"] = _ok(json.dumps({"offset": 100, "limit": 100, "totalFound": 101, "content": [entry]}))
    crawls.append({"spider": "smartrecruiters", "args": {"boards": "pagedco"}})
    search = json.loads(_body("workday", "cxs_jobs"))
    twenty = [{**posting, "externalPath": f"{posting['externalPath']}-p{n}"}
              for n in range(5) for posting in search["jobPostings"]]  # fmt: skip
    pages["https://pagedco.wd1.myworkdayjobs.com/wday/cxs/pagedco/Careers/jobs"] = [
        *_ok(json.dumps({**search, "total": 24, "jobPostings": twenty})),
        *_ok(json.dumps({**search, "total": 24})),
    ]
    crawls.append({"spider": "workday", "args": {"boards": "pagedco.wd1.myworkdayjobs.com/pagedco/Careers"}})
    # Detail pages the base cannot use: BambooHR openings whose detail is an HTML page or a JSON array.
    opening = json.loads(_body("bamboohr", "list"))["result"][0]
    detailco = [{**opening, "id": "7001"}, {**opening, "id": "7002"}]
    pages["https://detailco.bamboohr.com/careers/list"] = _ok(json.dumps({"meta": {}, "result": detailco}))
    pages["https://detailco.bamboohr.com/careers/7001/detail"] = _ok(GARBLED, "text/html")
    pages["https://detailco.bamboohr.com/careers/7002/detail"] = _ok("[]")
    crawls.append({"spider": "bamboohr", "args": {"boards": "detailco"}})
    # Feeds: the real one plus an empty, a garbled, a failing and an untitled-entry feed.
    for spider, real in FEEDS.items():
        host = real.split("/")[2]
        extra = {f"https://{host}/empty.xml": _ok(EMPTY_FEED, "application/rss+xml"),
                 f"https://{host}/garbled.xml": _ok(GARBLED, "text/html"),
                 f"https://{host}/down.xml": DOWN,
                 f"https://{host}/untitled.xml": _ok(_untitled_feed(spider), "application/rss+xml")}  # fmt: skip
        pages.update(extra)
        crawls.append({"spider": spider, "args": {"feeds": ",".join([real, *extra])}})
    # 4dayweek (one URL per crawl): the real API, then each odd case as a crawl of its own.
    crawls.append({"spider": "fourdayweek"})
    jobs = json.loads(_body("fourdayweek", "fourdayweek"))
    untitled = {"jobs": [{k: v for k, v in jobs["jobs"][0].items() if k != "title"}]}
    for case, responses in {"empty": _ok('{"jobs": []}'), "garbled": _ok(GARBLED, "text/html"), "down": DOWN,
                            "untitled": _ok(json.dumps(untitled))}.items():  # fmt: skip
        pages[f"https://4dayweek.io/api/jobs?case={case}"] = responses
        crawls.append({"spider": "fourdayweek", "args": {"url": f"https://4dayweek.io/api/jobs?case={case}"}})
    second = [{**job, "id": f"{job['id']}-2", "slug": f"{job['slug']}-2"} for job in jobs["jobs"]]
    pages["https://4dayweek.io/api/jobs?case=paged"] = _ok(json.dumps({**jobs, "page": 1, "has_more": True}))
    pages["https://4dayweek.io/api/jobs?case=paged&page=2"] = _ok(json.dumps({"jobs": second, "page": 2,
                                                                             "has_more": False}))  # fmt: skip
    crawls.append({"spider": "fourdayweek", "args": {"url": "https://4dayweek.io/api/jobs?case=paged"}})
    # Hacker News: a recorded thread, a thread with a deleted comment and a reply, garbled and failing threads;
    # the search from its last page (paging must stop at nbPages) and from the empty page past the end.
    thread = {"id": 1, "type": "story", "title": "Ask HN: Who is hiring? (May 2026)", "children": [
        {"id": 11, "type": "comment", "author": "acme", "created_at": "2026-05-01T15:05:00.000Z",
         "text": "<p>Acme | Staff Engineer | Remote (EU) | €90k–120k | <a href=\"https://acme.test/jobs\">apply</a>",
         "children": [{"id": 12, "type": "comment", "author": "q", "text": "Is this open to the UK?", "children": []}]},
        {"id": 13, "type": "comment", "author": None, "text": None, "children": []},
    ]}  # fmt: skip
    pages["https://hn.algolia.com/api/v1/items/1"] = _ok(json.dumps(thread))
    pages["https://hn.algolia.com/api/v1/items/2"] = _ok(GARBLED, "text/html")
    pages["https://hn.algolia.com/api/v1/items/3"] = DOWN
    crawls.append({"spider": "hackernews", "args": {"threads": "2396027,1,2,3"}})
    crawls.append({"spider": "hackernews", "args": {"url": HN_SEARCH.format(page=7), "months": "50"}})
    crawls.append({"spider": "hackernews", "args": {"url": HN_SEARCH.format(page=8)}})
    return write_snapshot(folder / "synthetic", pages), crawls


SOURCES = ("fourdayweek", "nodesk", "jobspresso", "euremotejobs", *ATS, "hackernews")


@pytest.fixture(scope="module", params=BACKENDS)
def crawled(request, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp(f"sources-{request.param}")
    synthetic, crawls = _synthetic(folder)
    with fresh_database(request.param, folder) as url:
        snapshot = Snapshot.load(*(FIXTURES / source for source in SOURCES), synthetic)
        with ReplayProxy(snapshot) as proxy:
            environment = {**os.environ, "https_proxy": proxy.url, "http_proxy": proxy.url}
            environment.pop("no_proxy", None)
            environment.pop("NO_PROXY", None)
            spec = {"database_url": url, "crawls": crawls}
            completed = subprocess.run([sys.executable, "-m", "tests.multi_crawl", json.dumps(spec)], cwd=ROOT,
                                       env=environment, capture_output=True, text=True, timeout=600)  # fmt: skip
            requests = list(proxy.requests)
        if os.environ.get("AGGREGATOR_TEST_CRAWL_LOG"):  # keep the crawl log for a look by hand
            Path(os.environ["AGGREGATOR_TEST_CRAWL_LOG"]).write_text(completed.stderr, encoding="utf-8")
        yield {
            "returncode": completed.returncode,
            "log": completed.stderr,
            "requests": requests,
            "postings": query(url, "SELECT * FROM postings"),
            "rejects": query(url, "SELECT spider, url, stage, reason FROM rejects"),
            "runs": query(url, "SELECT * FROM crawl_runs"),
        }


def _requested(crawled: dict, pattern: str) -> list[str]:
    return [r["url"] for r in crawled["requests"] if re.search(pattern, r["url"])]


def _rejects(crawled: dict, spider: str) -> set[tuple[str, str, str]]:
    return {(r["url"], r["stage"], r["reason"]) for r in crawled["rejects"] if r["spider"] == spider}


def test_every_crawl_ends_cleanly_with_an_honest_user_agent(crawled):
    assert crawled["returncode"] == 0, crawled["log"][-3000:]
    assert "Traceback" not in crawled["log"], crawled["log"][crawled["log"].find("Traceback") - 2000 :][:5000]
    for request in crawled["requests"]:
        assert re.match(r"remote-job-aggregator/\S+ \(\+https?://", request["user_agent"]), request


@pytest.mark.parametrize("source", SOURCES)
def test_every_expected_posting_is_stored_field_by_field(crawled, source):
    rows = {row["url"]: row for row in crawled["postings"] if row["source"] == source}
    for posting in load_expected(FIXTURES / source):
        row = rows.get(posting["url"])
        assert row is not None, posting["url"]
        for field in FIELDS:
            value = as_moment(row[field]) if field == "date_posted" else row[field]
            wanted = start_moment(posting[field]) if field == "date_posted" else posting[field]
            assert value == wanted, (posting["url"], field, row[field])
        assert as_json(row["raw"])["source"] == source


@pytest.mark.parametrize("spider", list(ATS))
def test_ats_empty_garbled_failing_and_untitled_boards_are_stored_problems(crawled, spider):
    tokens = {name: _board_token(spider, name) for name in SYNTHETIC_BOARDS}
    problems = _rejects(crawled, spider)
    garbled, down = _board_url(spider, tokens["garbledco"]), _board_url(spider, tokens["downco"])
    # An unreadable or empty board is a listing problem: the listing is incomplete, nothing closes on it.
    assert any(url == garbled and stage == "listing" for url, stage, _ in problems), problems
    assert (down, "fetch", "HTTP 500") in problems
    empty = _board_url(spider, tokens["emptyco"])
    assert [stage for url, stage, _ in problems if url == empty] == ["listing"], problems
    if ATS[spider][2] is not None:
        assert any(stage == "validate" and "title" in reason for _, stage, reason in problems), problems
    # The crawl with the synthetic boards (the others read one board each).
    (run,) = [run for run in crawled["runs"]
              if run["spider"] == spider and as_json(run["stats"]).get("aggregator/ats/boards", 0) > 1]  # fmt: skip
    # Partial boards never fail a run; only a large share of rejected items does (a 1-posting board + 1 reject).
    assert run["status"] == "ok" or "rejected" in run["status_reason"], run["status_reason"]
    assert run["items_rejected"] == (1 if ATS[spider][2] is not None else 0)


@pytest.mark.parametrize("spider", list(FEEDS))
def test_feed_empty_garbled_failing_and_untitled_feeds_are_stored_problems(crawled, spider):
    host = FEEDS[spider].split("/")[2]
    problems = _rejects(crawled, spider)
    assert any(url == f"https://{host}/garbled.xml" and stage in ("fetch", "listing") for url, stage, _ in problems), (
        problems
    )
    assert (f"https://{host}/down.xml", "fetch", "HTTP 500") in problems
    assert any(stage == "validate" and "title" in reason for _, stage, reason in problems), problems
    assert [stage for url, stage, _ in problems if url.endswith("/empty.xml")] == ["listing"], problems
    (run,) = [run for run in crawled["runs"] if run["spider"] == spider]
    assert run["status"] == "ok" or "rejected" in run["status_reason"], run["status_reason"]
    assert run["items_rejected"] == 1


def test_fourdayweek_odd_responses_fail_their_runs_visibly(crawled):
    problems = _rejects(crawled, "fourdayweek")
    assert ("https://4dayweek.io/api/jobs?case=down", "fetch", "HTTP 500") in problems
    assert any(url.endswith("case=garbled") and stage == "parse" for url, stage, _ in problems), problems
    assert any(stage == "validate" and "title" in reason for _, stage, reason in problems), problems
    statuses = sorted(run["status"] for run in crawled["runs"] if run["spider"] == "fourdayweek")
    # The real crawl is ok; empty, garbled, failing and all-rejected crawls yield nothing and fail.
    assert statuses == ["failed"] * 4 + ["ok"] * 2
    # Paged only while the body says has_more; the recorded real answer has no paging keys.
    assert _requested(crawled, r"4dayweek\.io/api/jobs\?case=paged") == [
        "https://4dayweek.io/api/jobs?case=paged", "https://4dayweek.io/api/jobs?case=paged&page=2"]  # fmt: skip
    assert not _requested(crawled, r"4dayweek\.io/api/jobs\?page=")
    assert len([r for r in crawled["postings"] if r["source"] == "fourdayweek" and r["source_id"].endswith("-2")]) == 2


def test_paging_reads_every_page_and_stops_after_the_last(crawled):
    pages = _requested(crawled, r"companies/pagedco/postings\?")
    assert pages == [p for p in pages if p.endswith(("offset=0", "offset=100"))] and len(pages) == 2
    assert (
        len([r for r in crawled["postings"] if r["source"] == "smartrecruiters" and r["source_id"].startswith("9")])
        == 100
    )
    workday = [r for r in crawled["requests"] if r["url"].endswith("/pagedco/Careers/jobs")]
    assert [r["method"] for r in workday] == ["POST", "POST"]
    assert len([r for r in crawled["postings"] if r["url"].startswith("https://pagedco.wd1")]) == 24


def test_a_failed_detail_keeps_the_listed_posting(crawled):
    rows = {row["source_id"]: row for row in crawled["postings"] if row["source"] == "smartrecruiters"}
    with_detail, without = rows["744000138728139"], rows["744000136509359"]
    assert "Job Description" in with_detail["description_html"] and without["description_html"] is None
    assert with_detail["workplace"] == "remote" and without["workplace"] == "remote"
    detail = "https://api.smartrecruiters.com/v1/companies/hirevue/postings/744000136509359"
    assert (detail, "fetch", "HTTP 404") in _rejects(crawled, "smartrecruiters")


def test_an_unusable_detail_is_a_stored_problem_and_keeps_the_listed_posting(crawled):
    rows = {row["source_id"]: row for row in crawled["postings"] if row["source"] == "bamboohr"}
    assert rows["7001"]["title"] == rows["7002"]["title"] == "Nurse Paralegal"
    assert rows["7001"]["description_html"] is None and rows["7002"]["description_html"] is None
    problems = {(url, stage, reason.split(":")[0]) for url, stage, reason in _rejects(crawled, "bamboohr")}
    assert ("https://detailco.bamboohr.com/careers/7001/detail", "fetch", "unreadable detail JSON") in problems
    assert ("https://detailco.bamboohr.com/careers/7002/detail", "fetch", "detail JSON is not an object") in problems


def test_a_detail_lost_without_a_response_keeps_the_listed_posting():
    # A refused connection reaches the errback with no response at all (the replay proxy always answers).
    from twisted.internet.error import ConnectionRefusedError
    from twisted.python.failure import Failure

    from aggregator.bases.ats import Board
    from spiders.bamboohr import BambooHrSpider

    settings = {"USER_AGENT_TEMPLATE": "t (+{contact_url})", "CONTACT_URL": "https://t"}
    crawler = get_crawler(BambooHrSpider, settings)
    spider = BambooHrSpider.from_crawler(crawler, boards="acme")
    record, board = {"id": "86", "jobOpeningName": "Nurse", "locationType": "1"}, Board("acme", "Acme Corp")
    failure = Failure(ConnectionRefusedError())
    failure.request = spider.detail_request(spider.detail_url(record, board), record, board)
    (posting,) = spider.on_detail_error(failure)
    assert (posting.url, posting.title, posting.company, posting.description_html) == (
        "https://acme.bamboohr.com/careers/86", "Nurse", "Acme Corp", None)  # fmt: skip
    assert crawler.stats.get_value("aggregator/fetch_problems/connectionrefusederror") == 1


def test_hackernews_one_posting_per_top_level_comment(crawled):
    rows = {row["source_id"]: row for row in crawled["postings"] if row["source"] == "hackernews"}
    thread = json.loads(_body("hackernews", "items_2396027"))
    top_level = {str(child["id"]) for child in thread["children"]}
    replies = {str(reply["id"]) for child in thread["children"] for reply in child.get("children") or []}
    assert top_level <= rows.keys() and not replies & rows.keys()
    assert "12" not in rows and "13" not in rows  # a reply and a deleted comment
    posting = rows["11"]
    assert (posting["company"], posting["title"], posting["workplace"]) == ("Acme", "Staff Engineer", "remote")
    assert (posting["salary_min"], posting["salary_max"], posting["salary_currency"]) == (90000, 120000, "EUR")
    assert posting["url"] == "https://news.ycombinator.com/item?id=11"
    assert posting["apply_url"] == "https://acme.test/jobs"
    runs = [as_json(run["stats"]) for run in crawled["runs"] if run["spider"] == "hackernews"]
    assert any(stats.get("aggregator/hackernews/deleted_comments") == 1 for stats in runs)
    problems = _rejects(crawled, "hackernews")
    assert ("https://hn.algolia.com/api/v1/items/3", "fetch", "HTTP 500") in problems
    assert any(url.endswith("/items/2") and stage == "parse" for url, stage, _ in problems)


def test_hackernews_search_stops_at_the_last_page_and_keeps_only_hiring_threads(crawled):
    searched = _requested(crawled, r"search_by_date")
    assert HN_SEARCH.format(page=7) in searched and HN_SEARCH.format(page=8) in searched
    assert searched.count(HN_SEARCH.format(page=8)) == 1  # only the crawl that starts there asks for it
    last_page = json.loads(_body("hackernews", "p7"))
    hiring = {hit["objectID"] for hit in last_page["hits"] if hit["title"].lower().startswith("ask hn: who is hiring")}
    others = {hit["objectID"] for hit in last_page["hits"]} - hiring
    threads = {url.rsplit("/", 1)[-1] for url in _requested(crawled, r"/api/v1/items/\d+$")}
    assert hiring and hiring <= threads and not others & threads
    problems = _rejects(crawled, "hackernews")
    assert any("no 'Ask HN: Who is hiring?' thread" in reason for _, _, reason in problems)
