"""Fault injection through the real crawl machinery, on SQLite and PostgreSQL.

One crawl of a small site whose pages carry every value the database would refuse or that is not
valid data; then crawls against a database that refuses writes. Each asserts the stored outcome:
every posting page fetched is a stored posting or a reject with its reason (nothing lost), the
run's status and the crawl command's exit code.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from aggregator.db import make_engine, upgrade_to_head
from aggregator.replay import ReplayProxy, Snapshot
from tests.conftest import (
    FAST,
    ROOT,
    SITE,
    as_json,
    as_moment,
    fresh_database,
    posting_page,
    query,
    run_crawl,
    small_site,
    write_snapshot,
)
from tests.faults import refusing_run_rows

LONG_SLUG = "senior-engineer-" + "x" * 300 + "-4"


def ld_page(title: str, heading: str | None = None, **fields) -> str:
    """A posting page whose JSON-LD JobPosting carries ``fields`` (JSON text allows NaN here)."""
    ld = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": title,
        "datePosted": "2024-05-01",
        "description": "<p>Build things.</p>",
        "hiringOrganization": {"@type": "Organization", "name": "Acme"},
        **fields,
    }
    return posting_page(heading or title, ld=json.dumps(ld))


def with_apply_link(html: str, href: str) -> str:
    return html.replace("</article>", f'<a class="btn-apply" href="{href}">Apply</a></article>')


def with_salary_tag(html: str, salary: str) -> str:
    return html.replace("</article>", f'<span class="tag-salary">{salary}</span></article>')


TODAY = datetime.now(UTC).date().isoformat()


# url → (page responses, what must become of it: "stored" or the reject stage)
POISONED: dict[str, tuple[list[dict], str]] = {
    f"{SITE}/job/plain-posting-1": ([{"status": 200, "text": posting_page("Plain Posting")}], "stored"),
    f"{SITE}/job/nul-bytes-2": (
        [{"status": 200, "text": ld_page("Nul\u0000 Byte\u0007 Posting", description="<p>a\u0000b\u001bc</p>")}],
        "stored",
    ),
    f"{SITE}/job/nan-salary-3": (
        [
            {
                "status": 200,
                "text": ld_page(
                    "NaN Salary",
                    baseSalary={
                        "@type": "MonetaryAmount",
                        "currency": "USD",
                        "value": {
                            "@type": "QuantitativeValue",
                            "minValue": math.nan,
                            "maxValue": math.inf,
                            "unitText": "YEAR",
                        },
                    },
                ),
            }
        ],
        "stored",
    ),  # fmt: skip
    f"{SITE}/job/{LONG_SLUG}": ([{"status": 200, "text": posting_page("Long Slug Posting")}], "stored"),
    f"{SITE}/job/long-etag-5": (
        [
            {
                "status": 200,
                "headers": {"Content-Type": "text/html; charset=utf-8", "ETag": '"' + "e" * 400 + '"'},
                "text": posting_page("Long ETag Posting"),
            }
        ],
        "stored",
    ),  # fmt: skip
    f"{SITE}/job/infinity-in-raw-6": (
        [{"status": 200, "text": ld_page("Infinity In Raw", employmentType=[math.inf, "FULL_TIME"])}],
        "stored",
    ),
    f"{SITE}/job/invalid-date-8": (
        [{"status": 200, "text": ld_page("Invalid Date", datePosted="2025-13-45", validThrough="20991231")}],
        "stored",
    ),
    f"{SITE}/job/out-of-range-dates-9": (
        [{"status": 200, "text": ld_page("Out Of Range", datePosted="0001-01-01", validThrough="9999-12-31")}],
        "stored",
    ),
    f"{SITE}/job/valid-through-today-10": (
        [{"status": 200, "text": ld_page("Open Today", validThrough=TODAY)}],
        "stored",
    ),
    f"{SITE}/job/javascript-apply-11": (
        [{"status": 200, "text": with_apply_link(posting_page("Javascript Apply"), "javascript:apply()")}],
        "stored",
    ),
    f"{SITE}/job/relative-apply-12": (
        [{"status": 200, "text": with_apply_link(posting_page("Relative Apply"), "/apply/12")}],
        "stored",
    ),
    f"{SITE}/job/negative-salary-13": (
        [{"status": 200, "text": with_salary_tag(posting_page("Negative Salary"), "-$90,000 - $120,000")}],
        "stored",
    ),
    f"{SITE}/job/huge-salary-14": (
        [
            {
                "status": 200,
                "text": ld_page(
                    "Huge Salary",
                    baseSalary={
                        "@type": "MonetaryAmount",
                        "currency": "USD",
                        "value": {"@type": "QuantitativeValue", "value": 1e15, "unitText": "YEAR"},
                    },
                ),
            }
        ],
        "stored",
    ),  # fmt: skip
    f"{SITE}/job/lone-surrogate-7": (
        [{"status": 200, "text": ld_page("Lone \ud800 Surrogate", heading="Lone Surrogate")}],
        "stored",
    ),
}


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def poisoned_crawl(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("poisoned")
    with fresh_database(request.param, folder) as url:
        site = small_site(folder / "site", {page: responses for page, (responses, _) in POISONED.items()})
        result = run_crawl("remotewlb", [site], url)
        yield {"url": url, "result": result, "backend": request.param}


def test_poisoned_values_never_sink_the_batch(poisoned_crawl):
    url, result = poisoned_crawl["url"], poisoned_crawl["result"]
    assert result.returncode == 0, result.log[-3000:]
    stored = {row["url"]: row for row in query(url, "SELECT * FROM postings")}
    rejects = {row["url"]: row for row in query(url, "SELECT * FROM rejects")}
    fetched = {r["url"] for r in result.requests if "/job/" in r["url"]}
    assert fetched == set(POISONED)
    # Nothing lost: every posting page fetched is exactly one stored posting or one reject.
    assert len(stored) + len(rejects) == len(fetched)
    for page, (_, outcome) in POISONED.items():
        if outcome == "stored":
            assert page in stored, (page, rejects.get(page))
        else:
            assert rejects[page]["stage"] == outcome, rejects.get(page)

    assert stored[f"{SITE}/job/nul-bytes-2"]["title"] == "Nul Byte Posting"
    assert "\x00" not in stored[f"{SITE}/job/nul-bytes-2"]["description_html"]
    nan = stored[f"{SITE}/job/nan-salary-3"]
    assert nan["salary_min"] is None and nan["salary_max"] is None
    long_slug = stored[f"{SITE}/job/{LONG_SLUG}"]
    assert len(long_slug["source_key"]) <= 255 and long_slug["source_key"].startswith("senior-engineer-x")
    assert len(stored[f"{SITE}/job/long-etag-5"]["etag"]) <= 255
    (run,) = query(url, "SELECT * FROM crawl_runs")
    assert run["status"] == "ok", run["status_reason"]
    stats = as_json(run["stats"])
    assert stats["aggregator/store/cleaned/control_characters"] >= 2
    assert stats["aggregator/store/cleaned/too_long_for_column"] >= 2
    assert stats["aggregator/store/cleaned/non_finite_number"] >= 2
    # Every posting belongs to a job.
    assert query(url, "SELECT COUNT(*) AS n FROM postings WHERE job_id IS NULL")[0]["n"] == 0


def test_invalid_values_are_nulled_with_a_counted_reason(poisoned_crawl):
    url = poisoned_crawl["url"]
    stored = {row["url"]: row for row in query(url, "SELECT * FROM postings")}
    invalid = stored[f"{SITE}/job/invalid-date-8"]
    assert invalid["date_posted"] is None and invalid["closed_at"] is None  # not closed as expired
    assert as_moment(invalid["valid_through"]) == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert as_json(invalid["raw"])["date_posted"] == "2025-13-45"  # the raw twin keeps the string
    out_of_range = stored[f"{SITE}/job/out-of-range-dates-9"]
    assert out_of_range["date_posted"] is None and out_of_range["valid_through"] is None
    today = stored[f"{SITE}/job/valid-through-today-10"]
    assert as_moment(today["valid_through"]).time().isoformat() == "23:59:59" and today["closed_at"] is None
    assert stored[f"{SITE}/job/javascript-apply-11"]["apply_url"] is None
    assert stored[f"{SITE}/job/relative-apply-12"]["apply_url"] == f"{SITE}/apply/12"
    negative = stored[f"{SITE}/job/negative-salary-13"]
    assert negative["salary_raw"] == "-$90,000 - $120,000" and negative["salary_min"] is None
    assert stored[f"{SITE}/job/huge-salary-14"]["salary_max"] is None
    (run,) = query(url, "SELECT stats FROM crawl_runs")
    stats = as_json(run["stats"])
    assert stats["aggregator/normalise/invalid/date_posted/unreadable"] == 1
    assert stats["aggregator/normalise/invalid/date_posted/out_of_range"] == 1
    assert stats["aggregator/normalise/invalid/valid_through/out_of_range"] == 1
    assert stats["aggregator/normalise/invalid/apply_url/not_http"] == 1
    assert stats["aggregator/normalise/invalid/salary/negative"] == 1
    assert stats["aggregator/normalise/invalid/salary/implausible"] == 1


def test_json_columns_hold_valid_json(poisoned_crawl):
    url = poisoned_crawl["url"]
    if poisoned_crawl["backend"] == "sqlite":
        rows = query(url, "SELECT json_extract(raw, '$.title') AS title FROM postings WHERE json_valid(raw)")
        assert len(rows) == len(query(url, "SELECT id FROM postings"))
    else:
        rows = query(url, "SELECT raw->>'title' AS title FROM postings")
    assert "NaN Salary" in {row["title"] for row in rows}


def database_refusing(url: str, condition_sql: str, backend: str, errcode: str = "check_violation") -> None:
    """Install a trigger that refuses postings matching ``condition_sql`` (``new.title = '…'``)."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        if backend == "sqlite":
            connection.execute(text(
                f"CREATE TRIGGER refuse BEFORE INSERT ON postings WHEN {condition_sql} "
                "BEGIN SELECT RAISE(ABORT, 'posting refused by the database'); END"
            ))  # fmt: skip
        else:
            connection.execute(text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                f"IF {condition_sql} THEN RAISE EXCEPTION 'posting refused by the database' USING ERRCODE = "
                f"'{errcode}'; END IF; RETURN new; END $$ LANGUAGE plpgsql"
            ))  # fmt: skip
            connection.execute(
                text("CREATE TRIGGER refuse BEFORE INSERT ON postings FOR EACH ROW EXECUTE FUNCTION refuse()")
            )
    engine.dispose()


def test_a_refused_posting_is_a_reject_and_the_rest_is_stored(tmp_path, database_url):
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    database_refusing(database_url, "new.title = 'Refused Posting'", backend)
    pages = {f"{SITE}/job/posting-{n}": [{"status": 200, "text": posting_page(f"Posting {n}")}] for n in range(1, 6)}
    refused = f"{SITE}/job/refused-posting-9"
    pages[refused] = [{"status": 200, "text": posting_page("Refused Posting")}]
    result = run_crawl("remotewlb", [small_site(tmp_path / "site", pages)], database_url)

    stored = {row["url"] for row in query(database_url, "SELECT url FROM postings")}
    rejects = {row["url"]: row for row in query(database_url, "SELECT * FROM rejects")}
    assert stored == set(pages) - {refused}
    assert rejects[refused]["stage"] == "store"
    assert "posting refused by the database" in rejects[refused]["reason"]
    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    assert run["status"] == "failed"
    assert "1 postings could not be stored" in run["status_reason"]
    assert "posting refused by the database" in run["status_reason"]
    assert result.returncode == 1
    assert "Traceback" not in result.log


def test_a_database_that_refuses_every_write_fails_the_run(tmp_path, database_url):
    """A full disk (PostgreSQL's own error class, SQLSTATE 53100) or a constraint on every row: the
    batch is not split posting by posting for nothing; each posting is a reject with the reason."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    database_refusing(database_url, "1 = 1" if backend == "postgresql" else "1", backend, errcode="disk_full")
    pages = {f"{SITE}/job/posting-{n}": [{"status": 200, "text": posting_page(f"Posting {n}")}] for n in range(1, 4)}
    result = run_crawl("remotewlb", [small_site(tmp_path / "site", pages)], database_url)

    assert query(database_url, "SELECT url FROM postings") == []
    rejects = query(database_url, "SELECT * FROM rejects")
    assert {row["url"] for row in rejects} == set(pages)
    assert {row["stage"] for row in rejects} == {"store"}
    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    assert run["status"] == "failed"
    assert run["status_reason"] == "3 postings could not be stored: posting refused by the database"
    assert result.returncode == 1
    assert "Traceback" not in result.log


def test_a_run_row_that_cannot_be_written_exits_non_zero_in_one_line(tmp_path, database_url):
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    refusing_run_rows(database_url, backend)
    pages = {f"{SITE}/job/posting-1": [{"status": 200, "text": posting_page("Posting 1")}]}
    result = run_crawl("remotewlb", [small_site(tmp_path / "site", pages)], database_url)
    assert result.returncode == 1
    assert "Traceback" not in result.log
    (line,) = [line for line in result.log.splitlines() if "CRAWL FAILED" in line]
    assert "could not record the start of the run: no run rows today" in line
    assert not any("/job/" in request["url"] for request in result.requests)  # nothing fetched for nothing


def test_a_read_only_sqlite_file_fails_the_crawl(tmp_path):
    path = tmp_path / "jobs.db"
    upgrade_to_head(make_engine(f"sqlite:///{path}"))
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    pages = {f"{SITE}/job/posting-1": [{"status": 200, "text": posting_page("Posting 1")}]}
    result = run_crawl("remotewlb", [small_site(tmp_path / "site", pages)], read_only)
    assert result.returncode == 1
    assert "Traceback" not in result.log
    assert "attempt to write a readonly database" in result.log


JOBS_WITHOUT_POSTINGS = (
    "SELECT COUNT(*) AS n FROM jobs WHERE NOT EXISTS (SELECT 1 FROM postings WHERE job_id = jobs.id)"
)


def many_postings_site(folder, count: int):
    return small_site(folder, {
        f"{SITE}/job/opening-{n:02d}": [{"status": 200, "text": posting_page(f"Opening {n:02d} engineer", f"Firm {n}")}]
        for n in range(count)
    })  # fmt: skip


def test_postings_left_without_a_job_are_repaired_by_a_crawl_with_nothing_new(tmp_path, database_url):
    """What a crash before postings and jobs shared a transaction left behind is matched by the next
    crawl of the board, even one that downloads nothing (every page unchanged)."""
    site = many_postings_site(tmp_path / "site", 6)
    assert run_crawl("remotewlb", [site], database_url).returncode == 0
    engine = make_engine(database_url)
    with engine.begin() as connection:
        orphaned = [row.job_id for row in connection.execute(text("SELECT job_id FROM postings WHERE id % 2 = 0"))]
        connection.execute(text("UPDATE jobs SET best_posting_id = NULL"))
        connection.execute(text("UPDATE postings SET job_id = NULL, dedup_reason = NULL WHERE id % 2 = 0"))
        for job_id in orphaned:
            connection.execute(text("DELETE FROM jobs WHERE id = :j"), {"j": job_id})
    engine.dispose()

    second = run_crawl("remotewlb", [site], database_url)
    assert second.returncode == 0, second.log[-3000:]
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings WHERE job_id IS NULL") == [{"n": 0}]
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings") == [{"n": 6}]
    assert query(database_url, JOBS_WITHOUT_POSTINGS) == [{"n": 0}]
    (run,) = query(database_url, "SELECT items_new, items_updated, stats FROM crawl_runs ORDER BY id DESC LIMIT 1")
    assert (run["items_new"], run["items_updated"]) == (0, 0)
    assert as_json(run["stats"])["aggregator/jobs/repaired"] == len(orphaned)


def test_two_crawls_of_one_board_at_once_leave_no_job_without_postings(tmp_path, database_url):
    site = many_postings_site(tmp_path / "site", 24)
    start = threading.Barrier(2)
    results = []

    def crawl() -> None:
        start.wait()
        results.append(run_crawl("remotewlb", [site], database_url, "-s", "STORE_BATCH_SIZE=3"))

    threads = [threading.Thread(target=crawl) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [result.returncode for result in results] == [0, 0], [r.log[-2000:] for r in results]
    assert "Traceback" not in "".join(result.log for result in results)
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings") == [{"n": 24}]
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings WHERE job_id IS NULL") == [{"n": 0}]
    assert query(database_url, JOBS_WITHOUT_POSTINGS) == [{"n": 0}]


def test_posting_urls_that_are_no_web_page_are_rejected(tmp_path, database_url):
    api = "https://www.workingnomads.com/api/exposed_jobs/"
    records = [
        {"url": "https://www.workingnomads.com/job/go/1/", "title": "Good", "company_name": "Acme"},
        {"url": "https://www.workingnomads.com/job/go/2/", "title": "Also good", "company_name": "Acme"},
        {"url": "https://www.workingnomads.com/job/go/3/", "title": "Good too", "company_name": "Acme"},
        {"url": "https://www.workingnomads.com/job/go/4/", "title": "Fine", "company_name": "Acme"},
        {"url": "https://www.workingnomads.com/job/go/5/", "title": "Fine too", "company_name": "Acme"},
        {"url": "javascript:alert(1)", "title": "Script", "company_name": "Acme"},
    ]
    site = write_snapshot(tmp_path / "site", {
        api: [{"status": 200, "headers": {"Content-Type": "application/json"}, "text": json.dumps(records)}],
    })  # fmt: skip
    result = run_crawl("workingnomads", [site], database_url)
    stored = query(database_url, "SELECT url FROM postings")
    rejects = query(database_url, "SELECT url, stage, reason FROM rejects")
    assert len(stored) + len(rejects) == len(records)
    assert rejects == [{"url": "javascript:alert(1)", "stage": "validate",
                        "reason": "url is not an http(s) web page: javascript:alert(1)"}]  # fmt: skip
    (run,) = query(database_url, "SELECT status, items_rejected FROM crawl_runs")
    assert run == {"status": "ok", "items_rejected": 1}
    assert result.returncode == 0


def aggregator_crawl(site, database_url: str) -> subprocess.CompletedProcess:
    """``aggregator crawl remotewlb``, as cron runs it, through the replay proxy."""
    with ReplayProxy(Snapshot.load(site)) as proxy:
        environment = {**os.environ, "https_proxy": proxy.url, "http_proxy": proxy.url,
                       "AGGREGATOR_DATABASE_URL": database_url}  # fmt: skip
        environment.pop("no_proxy", None)
        environment.pop("NO_PROXY", None)
        settings = [value for pair in zip(["-s"] * (len(FAST) // 2), FAST[1::2], strict=True) for value in pair]
        return subprocess.run(
            [sys.executable, "-m", "aggregator", "crawl", "remotewlb", *settings],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
        )  # fmt: skip


def test_aggregator_crawl_exits_non_zero_when_postings_or_the_run_cannot_be_stored(tmp_path, database_url):
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    database_refusing(database_url, "new.title = 'Refused Posting'", backend)
    pages = {f"{SITE}/job/posting-1": [{"status": 200, "text": posting_page("Posting 1")}],
             f"{SITE}/job/refused-2": [{"status": 200, "text": posting_page("Refused Posting")}]}  # fmt: skip
    site = small_site(tmp_path / "site", pages)
    refused = aggregator_crawl(site, database_url)
    assert refused.returncode == 1, refused.stderr[-3000:]
    assert "CRAWL FAILED" in refused.stderr and "1 postings could not be stored" in refused.stderr

    refusing_run_rows(database_url, backend)
    unrecorded = aggregator_crawl(site, database_url)
    assert unrecorded.returncode == 1
    assert "Traceback" not in unrecorded.stderr, unrecorded.stderr[-3000:]
    assert "no run rows today" in unrecorded.stderr
