"""Crawl-level faults through the real Scrapy machinery: nothing lost, listings that cannot be
trusted close nothing, resources bounded, feeds that tell the truth (both backends)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from aggregator.middlewares.retry_after import retry_after_seconds
from tests.conftest import as_json, query, run_crawl, write_snapshot
from tests.faults import (
    AT_RISK,
    BROKEN_SHARDS,
    CRAWL_ARGS,
    OFF_SITE_SHARD,
    ONE_OF_DUPLICATES,
    STEADY,
    job,
    listing_site,
    posting_page_site,
    tally,
)


def test_every_fetched_posting_page_is_a_posting_or_a_reject(tmp_path, database_url):
    snapshot, expect = posting_page_site(tmp_path / "site")
    result = run_crawl("remotewlb", [snapshot], database_url, *CRAWL_ARGS)
    assert result.returncode == 0, result.log[-3000:]

    stored = {row["listed_url"]: row for row in query(database_url, "SELECT * FROM postings")}
    rejects = query(database_url, "SELECT url, stage, reason FROM rejects")
    fetched = {request["url"] for request in result.requests} & set(expect)
    assert fetched == set(expect)  # every listed page was asked for…
    assert len(stored) + len(rejects) == len(fetched)  # …and each ended as exactly one thing

    rejected = {}
    for reject in rejects:
        assert reject["url"] not in rejected, f"two rejects for {reject['url']}"
        rejected[reject["url"]] = reject
    assert not set(rejected) & set(stored)
    for url, outcome in expect.items():
        if outcome.kind == "posting":
            assert url in stored, url
            assert stored[url]["url"] == (outcome.stored_url or url)
        elif outcome.kind == "reject":
            assert url in rejected, url
            assert rejected[url]["stage"] == outcome.stage, (url, rejected[url])
            assert outcome.reason in rejected[url]["reason"], (url, rejected[url]["reason"])
    counts = tally(database_url, expect)
    assert (counts["lost"], counts["wrong outcome"]) == (0, 0), counts
    duplicates = [url for url, outcome in expect.items() if outcome is ONE_OF_DUPLICATES]
    assert len(set(duplicates) & set(stored)) == 1
    for url in set(duplicates) - set(stored):
        assert rejected[url]["stage"] == "deduplicate"

    asked = {}
    for request in result.requests:
        asked.setdefault(request["url"], []).append(request["status"])
    assert job("meta-refresh-trap-666") not in asked  # a refresh inside a description is content
    assert asked[job("rate-limited-114")] == [429, 200]  # retried after the Retry-After it gave
    assert asked[job("rate-limited-long-115")] == [429]  # an hour is past the cap: given up, not rushed
    assert asked[job("unavailable-dated-116")] == [503, 200]
    assert "https://elsewhere.example/job/x" not in asked

    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    stats = as_json(run["stats"])
    assert (run["finish_reason"], run["status"]) == ("finished", "ok")
    assert run["items_scraped"] == len(stored)
    # Counted by kind in the run's stats as well as stored.
    assert stats["aggregator/fetch_problems/redirect_loop"] == 2
    assert stats["aggregator/fetch_problems/redirects_off_site_to_elsewhere_example"] == 1
    assert stats["aggregator/fetch_problems/undecodable_body"] == 1
    assert stats["aggregator/extract_problems/undecodable_body"] == 1
    assert stats["aggregator/extract_problems/empty_page"] == 1
    assert stats["aggregator/retry_after/waits"] == 2
    assert stats["aggregator/retry_after/too_long"] == 1
    assert not stats.get("aggregator/listing_problems")


def _latest_run(database_url: str) -> dict:
    return query(database_url, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]


def _postings(database_url: str) -> dict[str, dict]:
    return {row["listed_url"]: row for row in query(database_url, "SELECT * FROM postings")}


def test_nights_with_an_incomplete_listing_close_nothing(tmp_path, database_url):
    """Every kind of broken shard, one per night (so any two of them in a row), then a control:
    two healthy nights without a posting do close it."""
    first = run_crawl("remotewlb", [listing_site(tmp_path / "night-0")], database_url, *CRAWL_ARGS)
    assert first.returncode == 0, first.log[-3000:]
    assert set(_postings(database_url)) == set(STEADY + AT_RISK)

    for night, (kind, (shard, reason)) in enumerate(BROKEN_SHARDS.items(), start=1):
        result = run_crawl("remotewlb", [listing_site(tmp_path / f"night-{night}", shard)], database_url, *CRAWL_ARGS)
        assert result.returncode == 0, result.log[-3000:]
        run = _latest_run(database_url)
        # Healthy by every other measure: only the listing problem keeps postings open.
        assert run["status"] == "ok", (kind, run["status_reason"])
        assert as_json(run["stats"])["aggregator/listing_problems"] >= 1, kind
        reasons = [
            r["reason"] for r in query(database_url, "SELECT reason FROM rejects WHERE crawl_run_id = :r", r=run["id"])
        ]
        assert any(reason in text for text in reasons), (kind, reasons)
        for url, row in _postings(database_url).items():
            assert row["closed_at"] is None, (kind, url)
            assert row["missed_runs"] == 0, (kind, url)

    # A shard the index puts on another host: the offsite filter would have dropped it unseen.
    off_site = listing_site(tmp_path / "night-off-site", at_risk_name=OFF_SITE_SHARD)
    assert run_crawl("remotewlb", [off_site], database_url, *CRAWL_ARGS).returncode == 0
    run = _latest_run(database_url)
    assert run["status"] == "ok" and as_json(run["stats"])["aggregator/listing_problems"] == 1
    (reject,) = query(database_url, "SELECT url, stage, reason FROM rejects WHERE crawl_run_id = :r", r=run["id"])
    assert (reject["url"], reject["stage"]) == (OFF_SITE_SHARD, "listing")
    assert "outside the board's domains" in reject["reason"]
    assert all(row["closed_at"] is None for row in _postings(database_url).values())

    for night in ("control-1", "control-2"):
        run_crawl("remotewlb", [listing_site(tmp_path / night, at_risk=AT_RISK[:1])], database_url, *CRAWL_ARGS)
        assert _latest_run(database_url)["status"] == "ok"
    postings = _postings(database_url)
    assert postings[AT_RISK[1]]["close_reason"] == "missing"
    assert all(postings[url]["closed_at"] is None for url in STEADY + AT_RISK[:1])


def test_a_feed_export_of_an_incremental_crawl_carries_full_postings(tmp_path, database_url):
    site = listing_site(tmp_path / "site")
    full_feed, incremental_feed = tmp_path / "full.jsonl", tmp_path / "incremental.jsonl"
    first = run_crawl("remotewlb", [site], database_url, "-O", str(full_feed))
    second = run_crawl("remotewlb", [site], database_url, "-O", str(incremental_feed))
    assert second.returncode == 0, second.log[-3000:]
    assert not [r for r in second.requests if "/job/" in r["url"]]  # nothing was downloaded again

    fetched = [json.loads(line) for line in full_feed.read_text().splitlines()]
    read_back = [json.loads(line) for line in incremental_feed.read_text().splitlines()]
    assert len(fetched) == len(read_back) == len(STEADY + AT_RISK)
    by_key = {posting["source_key"]: posting for posting in fetched}
    for posting in read_back:
        assert posting == by_key[posting["source_key"]]  # the whole posting, as when it was fetched
        assert posting["title"] and posting["description_html"]
    # The counts the log gives are the postings the file holds.
    assert f"Stored jsonl feed ({len(read_back)} items)" in second.log
    assert f"{len(read_back)} of them unchanged since the last crawl" in second.log
    assert f"Stored jsonl feed ({len(fetched)} items)" in first.log


@pytest.mark.parametrize(
    "header, seconds",
    [
        ("120", 120.0),
        (b"0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
        ("Sun, 06 Dec 2026 12:01:30 GMT", 90.0),
        ("soon", None),
        ("-5", None),
        (None, None),
    ],
)
def test_retry_after_header_is_read_as_seconds_or_an_http_date(header, seconds):
    now = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(header, now) == seconds


WWR_FEED = "https://weworkremotely.com/remote-jobs.rss"
EMPTY_RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>WWR</title></channel></rss>'


@pytest.mark.parametrize(
    "spider, args, url, body, content_type, reason",
    [
        ("weworkremotely", ("-a", f"feeds={WWR_FEED}"), WWR_FEED, EMPTY_RSS, "application/rss+xml",
         "the feed lists no entries"),
        ("jobicy", (), "https://jobicy.com/api/v2/remote-jobs?count=100", '{"jobs": []}', "application/json",
         "the API's first page lists no records"),
    ],
)  # fmt: skip
def test_a_feed_or_api_listing_that_lists_nothing_is_a_listing_problem(
    tmp_path, spider, args, url, body, content_type, reason
):
    # Only the run's bookkeeping is at stake here, the same on both backends: SQLite suffices.
    database_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    page = {"status": 200, "headers": {"Content-Type": content_type}, "text": body}
    result = run_crawl(spider, [write_snapshot(tmp_path / "site", {url: [page]})], database_url, *args)
    assert result.returncode == 1, result.log[-3000:]  # the run failed (nothing scraped): exit 1
    rejects = query(database_url, "SELECT url, stage, reason FROM rejects")
    assert rejects == [{"url": url, "stage": "listing", "reason": reason}]
    (run,) = query(database_url, "SELECT * FROM crawl_runs")
    assert as_json(run["stats"])["aggregator/listing_problems"] == 1
    assert run["status"] == "failed"  # nothing scraped: the listing is what broke
