"""Deduplication through the real pipeline: a labelled month crawled by `scrapy crawl remotewlb`,
matched incrementally against the SQL-backed index, scored against the hand-labelled clusters."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from aggregator.cli import main
from aggregator.db import make_engine
from bench.dedup_quality import load_clusters, pair_scores
from tests.conftest import BACKENDS, FIXTURES, fresh_database, query, run_crawl

MONTH = FIXTURES / "dedup" / "remotewlb-2025-02"  # the month without company names


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """One crawl of the month per backend, shared by the tests below (which leave it as they found it)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("month")) as url:
        result = run_crawl("remotewlb", [MONTH], url)
        assert result.returncode == 0, result.log[-3000:]
        yield url


def test_a_crawled_month_is_deduplicated_as_labelled(database_url):
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


def test_db_upgrade_renews_fingerprints_an_older_version_stored_and_keeps_the_jobs(
    database_url, monkeypatch, capsys, tmp_path
):
    before = {row["id"]: row for row in query(database_url, "SELECT id, job_id, fingerprint FROM postings")}
    keys_before = query(database_url, "SELECT posting_id, key FROM dedup_keys ORDER BY posting_id, key")
    # What an older version left behind: its own fingerprints, and keys the new lookups do not use.
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE postings SET fingerprint = :old"), {"old": json.dumps({"version": 1})})
        connection.execute(text("UPDATE dedup_keys SET key = '~' || substr(key, 2)"))
    engine.dispose()

    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", database_url)
    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no aggregator.toml here
    assert main(["db", "upgrade"]) == 0
    assert f"renewed the dedup fingerprints of {len(before)} postings" in capsys.readouterr().out

    after = {row["id"]: row for row in query(database_url, "SELECT id, job_id, fingerprint FROM postings")}
    assert {pid: row["job_id"] for pid, row in after.items()} == {pid: row["job_id"] for pid, row in before.items()}
    assert {pid: json.loads(row["fingerprint"]) for pid, row in after.items()} == {
        pid: json.loads(row["fingerprint"]) for pid, row in before.items()
    }
    assert query(database_url, "SELECT posting_id, key FROM dedup_keys ORDER BY posting_id, key") == keys_before
    assert main(["db", "upgrade"]) == 0  # nothing left to renew
    assert "renewed" not in capsys.readouterr().out
