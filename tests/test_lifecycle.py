"""Job lifecycle: postings close when missing from healthy runs, gone or expired, and reopen."""

from __future__ import annotations

from tests.conftest import SITE, posting_page, query, run_crawl, small_site

A = f"{SITE}/job/alpha-posting-1"
B = f"{SITE}/job/beta-posting-2"
FUTURE = "2099-01-01T00:00:00Z"


def page(title: str, valid_through: str = FUTURE) -> list[dict]:
    return [{"status": 200, "text": posting_page(title, valid_through=valid_through)}]


def postings(database_url: str) -> dict[str, dict]:
    return {row["url"]: row for row in query(database_url, "SELECT * FROM postings")}


def test_missing_from_two_healthy_runs_closes_and_reappearing_reopens(tmp_path, database_url):
    both = small_site(tmp_path / "both", {A: page("Alpha"), B: page("Beta")})
    only_a = small_site(tmp_path / "only_a", {A: page("Alpha")})
    broken = small_site(tmp_path / "broken", {A: [{"status": 200, "text": "<html>new layout</html>"}]})

    assert run_crawl("remotewlb", [both], database_url).returncode == 0
    run_crawl("remotewlb", [only_a], database_url)
    assert postings(database_url)[B]["closed_at"] is None  # one miss is not enough
    assert postings(database_url)[B]["missed_runs"] == 1

    run_crawl("remotewlb", [broken], database_url, "-s", "FULL_RECRAWL=True")  # failed: closes nothing
    assert postings(database_url)[B]["closed_at"] is None
    assert postings(database_url)[A]["closed_at"] is None

    run_crawl("remotewlb", [only_a], database_url)
    closed = postings(database_url)[B]
    assert closed["closed_at"] is not None and closed["close_reason"] == "missing"
    assert postings(database_url)[A]["closed_at"] is None
    jobs = query(database_url, "SELECT j.status FROM jobs j JOIN postings p ON p.job_id = j.id WHERE p.url = :u", u=B)
    assert [job["status"] for job in jobs] == ["closed"]

    run_crawl("remotewlb", [both], database_url, "-s", "FULL_RECRAWL=True")
    reopened = postings(database_url)[B]
    assert reopened["closed_at"] is None and reopened["missed_runs"] == 0
    jobs = query(database_url, "SELECT j.status FROM jobs j JOIN postings p ON p.job_id = j.id WHERE p.url = :u", u=B)
    assert [job["status"] for job in jobs] == ["open"]


def test_gone_page_closes_its_posting(tmp_path, database_url):
    run_crawl("remotewlb", [small_site(tmp_path / "v1", {A: page("Alpha"), B: page("Beta")})], database_url)
    gone = small_site(tmp_path / "v2", {A: page("Alpha"), B: [{"status": 410, "text": "gone"}]})
    run_crawl("remotewlb", [gone], database_url, "-s", "FULL_RECRAWL=True")
    closed = postings(database_url)[B]
    assert closed["close_reason"] == "gone" and closed["closed_at"] is not None


def test_expired_posting_is_closed(tmp_path, database_url):
    site = small_site(tmp_path / "site", {A: page("Alpha"), B: page("Beta", valid_through="2020-01-31T00:00:00Z")})
    run_crawl("remotewlb", [site], database_url)
    stored = postings(database_url)
    assert stored[B]["close_reason"] == "expired"
    assert stored[A]["closed_at"] is None
    open_jobs = query(database_url, "SELECT title FROM open_jobs")
    assert [job["title"] for job in open_jobs] == ["Alpha"]
