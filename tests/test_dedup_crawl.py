"""Deduplication through the real pipeline: a labelled month crawled by `scrapy crawl remotewlb`,
matched incrementally against the SQL-backed index, scored against the hand-labelled clusters."""

from __future__ import annotations

from bench.dedup_quality import load_clusters, pair_scores
from tests.conftest import FIXTURES, query, run_crawl

MONTH = FIXTURES / "dedup" / "remotewlb-2025-02"  # the month without company names


def test_a_crawled_month_is_deduplicated_as_labelled(database_url):
    result = run_crawl("remotewlb", [MONTH], database_url)
    assert result.returncode == 0, result.log[-3000:]
    rows = query(database_url, "SELECT url, job_id, dedup_reason FROM postings")
    assert all(row["job_id"] is not None for row in rows)
    truth = load_clusters(MONTH)
    # The labels name postings by their final URL (after the board's redirects), as stored.
    predicted = {row["url"]: row["job_id"] for row in rows}
    labelled = {url: truth.get(url, url) for url in predicted}
    score, wrong, missed = pair_scores(predicted, labelled)
    assert score.precision >= 0.97, sorted(wrong)[:10]
    assert score.recall >= 0.95, sorted(missed)[:10]
    reasons = {row["dedup_reason"] for row in rows}
    assert {"new_job", "near_duplicate"} <= reasons
    jobs = query(database_url, "SELECT COUNT(*) AS n, SUM(postings_count) AS postings FROM jobs")[0]
    assert jobs["postings"] == len(rows) and jobs["n"] < len(rows)
