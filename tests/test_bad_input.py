"""Bad input gets a counted, stored outcome and never costs the other postings."""

from __future__ import annotations

from tests.conftest import SITE, as_json, posting_page, query, run_crawl, small_site


def test_faults_are_counted_stored_and_cost_nothing_else(tmp_path, database_url):
    ok = f"{SITE}/job/good-posting-1"
    slow = f"{SITE}/job/slow-posting-2"
    untitled = f"{SITE}/job/untitled-posting-3"
    empty = f"{SITE}/job/not-a-posting-4"
    latin1 = f"{SITE}/job/latin-posting-5"
    broken = f"{SITE}/job/broken-json-6"
    failing = f"{SITE}/job/always-500-7"
    site = small_site(tmp_path / "site", {
        ok: [{"status": 200, "text": posting_page("Good Posting")}],
        slow: [{"status": 200, "delay": 3, "text": posting_page("Slow Posting")}],
        untitled: [{"status": 200, "text": posting_page(None)}],
        empty: [{"status": 200, "text": "<html><body><p>Nothing here</p></body></html>"}],
        latin1: [{"status": 200, "headers": {"Content-Type": "text/html; charset=iso-8859-1"},
                  "text": posting_page("Développeur Sénior", charset="iso-8859-1").encode("latin-1")}],
        broken: [{"status": 200, "text": posting_page("Broken JSON", ld='{"@type": "JobPosting", "title": ')}],
        failing: [{"status": 500, "text": "oops"}],
    })  # fmt: skip
    result = run_crawl("remotewlb", [site], database_url, "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1")
    # More than max_reject_share rejected: the run failed, and so does the command.
    assert result.returncode == 1, result.log[-3000:]

    stored = {row["url"]: row for row in query(database_url, "SELECT * FROM postings")}
    assert set(stored) == {ok, latin1, broken}
    assert stored[latin1]["title"] == "Développeur Sénior"
    assert stored[broken]["title"] == "Broken JSON"  # read from the page when the JSON-LD is broken

    rejects = {row["url"]: row for row in query(database_url, "SELECT * FROM rejects")}
    assert rejects[untitled]["stage"] == "validate"
    assert rejects[untitled]["reason"] == "missing title"
    assert as_json(rejects[untitled]["payload"])["url"] == untitled
    assert rejects[slow]["stage"] == "fetch" and "Timeout" in rejects[slow]["reason"]
    assert rejects[failing]["stage"] == "fetch" and rejects[failing]["reason"] == "HTTP 500"
    assert [r["status"] for r in result.requests if r["url"] == failing] == [500, 500]
    # A page that holds no posting is a reject too: nothing fetched is lost without a trace.
    assert rejects[empty]["stage"] == "extract"
    assert rejects[empty]["reason"].startswith("no job posting found on the page")
    assert len(stored) + len(rejects) == 7

    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    stats = as_json(run["stats"])
    assert run["items_scraped"] == 3
    assert run["items_rejected"] == 1
    assert run["errors"] == 3
    assert stats["aggregator/pages/no_posting"] == 1
    assert stats["aggregator/extract/warnings"] >= 1


def test_a_crawl_that_finds_nothing_is_recorded_as_failed(tmp_path, database_url):
    site = small_site(
        tmp_path / "site",
        {f"{SITE}/job/layout-changed-1": [{"status": 200, "text": "<html><body><div>new layout</div></body></html>"}]},
    )
    result = run_crawl("remotewlb", [site], database_url)
    assert result.returncode == 1
    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    assert run["status"] == "failed"
    assert run["status_reason"] == "no postings were scraped"
    assert run["finished_at"] is not None
