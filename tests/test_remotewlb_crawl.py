"""End to end: `scrapy crawl remotewlb` against the recorded site, into a real SQLite file."""

from __future__ import annotations

import re

from aggregator.normalise.dates import end_moment, start_moment
from tests.conftest import as_moment, load_expected, query

RAW_FIELDS = ("source", "source_id", "title", "company", "salary_raw", "location_raw", "apply_url")
# Stored as real moments: a date-only validThrough lasts to the end of its day.
DATE_FIELDS = {"date_posted": start_moment, "valid_through": end_moment}


def _letters(text: str | None) -> str:
    # The recording's description prefixes were made by joining text nodes with spaces.
    return re.sub(r"\s+", "", text or "")


EXPECTED = load_expected()
ITEMS = [e for e in EXPECTED if e["expect"] == "item"]
NO_ITEMS = [e for e in EXPECTED if e["expect"] == "no_item"]


def test_crawl_exits_cleanly(remotewlb_crawled_twice):
    assert remotewlb_crawled_twice["first"].returncode == 0, remotewlb_crawled_twice["first"].log[-3000:]
    assert remotewlb_crawled_twice["second"].returncode == 0, remotewlb_crawled_twice["second"].log[-3000:]


def test_the_first_crawl_migrates_its_new_database_in_a_child_process(remotewlb_crawled_twice):
    """Alembic stays out of the crawl's long-lived process: a child migrated the new database, and
    its log ("Running upgrade …") is relayed into the crawl's; the second crawl finds it at head."""
    first, second = remotewlb_crawled_twice["first"].log, remotewlb_crawled_twice["second"].log
    assert "[aggregator.db] INFO: Running upgrade " in first
    assert "[alembic" not in first
    assert "Running upgrade" not in second


def test_every_expected_posting_is_stored_with_its_raw_fields(remotewlb_crawled_twice):
    stored = remotewlb_crawled_twice["after_first"]
    assert len(stored) == len(ITEMS)
    for expected in ITEMS:
        row = stored.get(expected["url"])
        assert row is not None, expected["url"]
        for field in RAW_FIELDS:
            assert row[field] == expected[field], (expected["url"], field)
        for field, moment in DATE_FIELDS.items():
            assert as_moment(row[field]) == moment(expected[field]), (expected["url"], field)
        assert _letters(row["description_text"]).startswith(_letters(expected["description_starts"]))


def test_no_item_urls_are_not_stored(remotewlb_crawled_twice):
    stored = remotewlb_crawled_twice["after_first"]
    for expected in NO_ITEMS:
        assert expected["url"] not in stored


def test_first_run_is_recorded_with_counts(remotewlb_crawled_twice):
    run = remotewlb_crawled_twice["runs"][0]
    assert run["spider"] == "remotewlb"
    assert run["finish_reason"] == "finished"
    assert run["status"] == "ok"
    assert run["finished_at"] is not None
    assert run["items_scraped"] == len(ITEMS)
    assert (run["items_new"], run["items_updated"], run["items_unchanged"]) == (len(ITEMS), 0, 0)
    assert run["items_rejected"] == 0
    gone = [e for e in NO_ITEMS if e["why"] == "404"]
    assert run["errors"] == len(gone)
    assert run["requests"] >= len(EXPECTED)


def test_second_crawl_adds_nothing_and_says_so(remotewlb_crawled_twice):
    first, second = remotewlb_crawled_twice["after_first"], remotewlb_crawled_twice["after_second"]
    assert first.keys() == second.keys()
    for url, row in second.items():
        assert row["id"] == first[url]["id"]
        assert row["content_hash"] == first[url]["content_hash"]
        assert row["first_seen_at"] == first[url]["first_seen_at"]
        assert row["last_seen_at"] > first[url]["last_seen_at"]
    run = remotewlb_crawled_twice["runs"][1]
    assert (run["items_new"], run["items_updated"], run["items_unchanged"]) == (0, 0, len(ITEMS))
    assert len(remotewlb_crawled_twice["runs"]) == 2


def test_gone_pages_are_stored_as_fetch_rejects(remotewlb_crawled_twice):
    rejects = query(remotewlb_crawled_twice["url"], "SELECT * FROM rejects WHERE crawl_run_id = 1")
    gone = {e["url"] for e in NO_ITEMS if e["why"] == "404"}
    assert {r["url"] for r in rejects} == gone
    assert all(r["stage"] == "fetch" and r["reason"] == "HTTP 404" for r in rejects)


def test_crawl_is_polite(remotewlb_crawled_twice):
    requests = remotewlb_crawled_twice["first"].requests
    assert requests[0]["url"] == "https://remotewlb.com/robots.txt"
    agents = {r["user_agent"] for r in requests}
    assert len(agents) == 1
    assert re.match(r"remote-job-aggregator/\S+ \(\+https?://", agents.pop())


def test_newest_shard_and_newest_posting_come_first(remotewlb_crawled_twice):
    fetched = [r["url"] for r in remotewlb_crawled_twice["first"].requests if "/job/" in r["url"]]
    newest = sorted(ITEMS, key=lambda e: e["date_posted"], reverse=True)
    # Concurrent downloads may swap neighbours, so allow a little slack at the window's edge.
    assert set(fetched[:20]) <= {e["url"] for e in newest[:30]}
    assert fetched[0] in {e["url"] for e in newest[:8]}


def test_database_url_setting_overrides_the_environment(tmp_path):
    from tests.conftest import SITE, posting_page, run_crawl, small_site

    site = small_site(tmp_path / "site", {f"{SITE}/job/one-posting-1": [{"status": 200, "text": posting_page("One")}]})
    chosen = tmp_path / "chosen.db"
    ignored = tmp_path / "ignored.db"
    result = run_crawl("remotewlb", [site], f"sqlite:///{ignored}", "-s", f"DATABASE_URL=sqlite:///{chosen}")
    assert result.returncode == 0
    assert not ignored.exists()
    assert query(f"sqlite:///{chosen}", "SELECT COUNT(*) AS n FROM postings")[0]["n"] == 1
