"""Concurrent writers and data safety, on SQLite and PostgreSQL.

Two crawls of different boards writing one (empty) database at once lose nothing and fail nothing;
processes racing to migrate an empty database all succeed; a crawl killed with SIGKILL leaves whole
batches only, and the next run stores every posting exactly once; run_in_transaction retries what
the database says is worth retrying.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from aggregator import repository
from aggregator.db import head_revision, make_engine, run_in_transaction, upgrade_to_head
from aggregator.items import NormalisedPosting
from aggregator.job_assignment import assign_jobs, assign_jobs_in
from aggregator.replay import ReplayProxy, Snapshot
from tests.conftest import (
    FAST,
    REMOTEWLB_SITE,
    ROOT,
    SITE,
    load_expected,
    posting_page,
    query,
    run_crawl,
    write_snapshot,
)

ITEM_URLS = {e["url"] for e in load_expected() if e["expect"] == "item"}
BAD_LOG_LINES = ("database is locked", "Traceback", "deadlock", "could not serialize", "Error processing")


def _problems(log: str) -> list[str]:
    return [line for line in log.splitlines() if any(bad in line for bad in BAD_LOG_LINES)]


def test_two_boards_crawl_one_empty_database_at_once(database_url):
    """remotewlb and the generic jobposting spider over the same recorded site, started together."""
    start = threading.Barrier(2)
    results = {}

    def crawl(spider: str, *args: str) -> None:
        start.wait()
        results[spider] = run_crawl(spider, [REMOTEWLB_SITE], database_url, "-s", "STORE_BATCH_SIZE=7", *args)

    threads = [
        threading.Thread(target=crawl, args=("remotewlb",)),
        threading.Thread(target=crawl, args=("jobposting", "-a", f"sitemap={SITE}/sitemap.xml")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for spider, result in results.items():
        assert result.returncode == 0, (spider, result.log[-3000:])
        assert _problems(result.log) == [], spider
    assert query(database_url, "SELECT version_num FROM alembic_version") == [{"version_num": head_revision()}]
    runs = {row["spider"]: row for row in query(database_url, "SELECT * FROM crawl_runs")}
    assert set(runs) == {"remotewlb", "jobposting"}
    stored = query(database_url, "SELECT source, source_key, url FROM postings")
    assert len({(row["source"], row["source_key"]) for row in stored}) == len(stored)
    for spider, run in runs.items():
        assert run["status"] == "ok", run
        urls = {row["url"] for row in stored if row["source"] == spider}
        # Everything each crawl scraped was stored, as new: nothing lost to the other writer.
        assert run["items_scraped"] == run["items_new"] == len(urls), run
        assert urls == ITEM_URLS, spider


MIGRATE = """
import sys, time
from aggregator.db import make_engine, upgrade_to_head
engine = make_engine(sys.argv[1])
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
upgrade_to_head(engine)
"""


def test_processes_racing_to_migrate_an_empty_database_all_succeed(database_url):
    start_at = f"{time.time() + 4:.3f}"  # every process imported and waiting by then
    processes = [
        subprocess.Popen([sys.executable, "-c", MIGRATE, database_url, start_at], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [process.communicate(timeout=120)[1].decode() for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, errors
    assert query(database_url, "SELECT version_num FROM alembic_version") == [{"version_num": head_revision()}]


BATCH = 20
POSTINGS = 160
JOBS_WITHOUT_POSTINGS = (
    "SELECT COUNT(*) AS n FROM jobs WHERE NOT EXISTS (SELECT 1 FROM postings WHERE job_id = jobs.id)"
)


def _slow_site(folder: Path, delay: float) -> Path:
    """A remotewlb-shaped site of POSTINGS postings, each page answered after ``delay`` seconds."""
    urls = [f"{SITE}/job/posting-{number:03d}" for number in range(POSTINGS)]
    shard = "".join(f"<url><loc>{url}</loc><lastmod>2024-05-01T00:00:00Z</lastmod></url>" for url in urls)
    urlset = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{shard}</urlset>'
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{SITE}/sitemaps/jobs/2024-05-1</loc></sitemap></sitemapindex>")  # fmt: skip
    pages = {
        f"{SITE}/robots.txt": [{"status": 200, "text": f"User-agent: *\nAllow: /\nSitemap: {SITE}/sitemap.xml\n"}],
        f"{SITE}/sitemap.xml": [{"status": 200, "text": index}],
        f"{SITE}/sitemaps/jobs/2024-05-1": [{"status": 200, "text": urlset}],
    }
    for number, url in enumerate(urls):
        page = posting_page(f"Posting {number:03d} engineer", f"Company {number}")
        pages[url] = [{"status": 200, "text": page, "delay": delay}]
    return write_snapshot(folder, pages)


def test_a_crawl_killed_mid_run_leaves_whole_batches_and_the_next_run_completes(database_url, tmp_path):
    slow = _slow_site(tmp_path / "slow", delay=0.25)
    with ReplayProxy(Snapshot.load(slow)) as proxy:
        environment = {**os.environ, "https_proxy": proxy.url, "http_proxy": proxy.url,
                       "AGGREGATOR_DATABASE_URL": database_url}  # fmt: skip
        environment.pop("no_proxy", None)
        environment.pop("NO_PROXY", None)
        crawl = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "remotewlb", *FAST, "-s", f"STORE_BATCH_SIZE={BATCH}"],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            stored = 0
            while stored < 2 * BATCH and crawl.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
                try:
                    stored = query(database_url, "SELECT COUNT(*) AS n FROM postings")[0]["n"]
                except Exception:  # the crawl has not created the tables yet
                    stored = 0
            assert crawl.poll() is None, "the crawl ended before it could be killed"
            crawl.send_signal(signal.SIGKILL)
        finally:
            crawl.kill()
            crawl.wait(timeout=30)
            crawl.stderr.close()
    assert crawl.returncode == -signal.SIGKILL

    after_kill = query(database_url, "SELECT source_key FROM postings")
    assert 0 < len(after_kill) < POSTINGS
    assert len(after_kill) % BATCH == 0, f"{len(after_kill)} postings: half a batch is visible"
    assert len({row["source_key"] for row in after_kill}) == len(after_kill)
    # A posting and its job commit together: the kill left no posting without a job.
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings WHERE job_id IS NULL") == [{"n": 0}]
    if database_url.startswith("sqlite"):
        assert query(database_url, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]

    fast = _slow_site(tmp_path / "fast", delay=0)
    second = run_crawl("remotewlb", [fast], database_url, "-s", f"STORE_BATCH_SIZE={BATCH}")
    assert second.returncode == 0, second.log[-3000:]
    rows = query(database_url, "SELECT source_key FROM postings")
    assert sorted(row["source_key"] for row in rows) == [f"posting-{number:03d}" for number in range(POSTINGS)]
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings WHERE job_id IS NULL") == [{"n": 0}]
    assert query(database_url, JOBS_WITHOUT_POSTINGS) == [{"n": 0}]
    run = query(database_url, "SELECT * FROM crawl_runs WHERE status = 'ok'")
    assert len(run) == 1
    assert run[0]["items_new"] == POSTINGS - len(after_kill)
    # The killed run is not left "running": the next run of the board recorded it as interrupted.
    (killed,) = query(database_url, "SELECT * FROM crawl_runs WHERE id <> :ok", ok=run[0]["id"])
    assert (killed["status"], killed["finish_reason"]) == ("interrupted", "killed")
    assert killed["finished_at"] is not None
    if database_url.startswith("sqlite"):
        engine = make_engine(database_url)
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO postings_fts(postings_fts, rank) VALUES ('integrity-check', 1)")
        engine.dispose()


# --- run_in_transaction ----------------------------------------------------------------------


@pytest.fixture
def counters(database_url):
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counters (name VARCHAR(8) PRIMARY KEY, value INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counters VALUES ('a', 0), ('b', 0)"))
    yield engine
    engine.dispose()


def _values(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT name, value FROM counters")).all())


def test_run_in_transaction_retries_a_real_lock_conflict(counters, database_url, caplog):
    if counters.dialect.name == "sqlite":
        _sqlite_lock_held_longer_than_the_busy_timeout(counters, database_url, caplog)
    else:
        _postgresql_deadlock(counters)


def _sqlite_lock_held_longer_than_the_busy_timeout(engine, database_url, caplog):
    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    engine.dispose()
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE counters SET value = value + 100 WHERE name = 'b'")
    release = threading.Timer(0.6, holder.execute, args=("COMMIT",))
    release.start()
    attempts = []

    def work(connection):
        attempts.append(time.monotonic())
        connection.execute(text("UPDATE counters SET value = value + 1 WHERE name = 'a'"))

    run_in_transaction(engine, work, attempts=10, base_delay=0.1)
    release.join()
    holder.close()
    # BEGIN IMMEDIATE found the database locked (work was not even called), then got through.
    assert len(attempts) == 1
    assert any("database is locked" in record.getMessage() for record in caplog.records)
    assert _values(engine) == {"a": 1, "b": 100}


def _postgresql_deadlock(engine):
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts = {"ab": 0, "ba": 0}
    errors = []

    def work_in(order: str):
        def work(connection):
            attempts[order] += 1
            first, second = order
            connection.execute(text("UPDATE counters SET value = value + 1 WHERE name = :n"), {"n": first})
            if attempts[order] == 1:
                both_hold_one.wait()  # each holds the row the other wants next: a deadlock
            connection.execute(text("UPDATE counters SET value = value + 10 WHERE name = :n"), {"n": second})

        try:
            run_in_transaction(engine, work, attempts=5, base_delay=0.05)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work_in, args=(order,)) for order in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]  # PostgreSQL chose one victim, which ran again
    assert _values(engine) == {"a": 11, "b": 11}


def test_run_in_transaction_rolls_back_a_failed_attempt_and_gives_up_on_other_errors(counters):
    calls = []

    def flaky(connection):
        calls.append(1)
        connection.execute(text("UPDATE counters SET value = value + 1 WHERE name = 'a'"))
        if len(calls) < 3:
            if counters.dialect.name == "sqlite":
                raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
            raise OperationalError("UPDATE", {}, psycopg.errors.SerializationFailure("could not serialize access"))
        return "done"

    assert run_in_transaction(counters, flaky, base_delay=0.01) == "done"
    assert len(calls) == 3
    assert _values(counters)["a"] == 1  # the two failed attempts left nothing behind

    calls.clear()

    def duplicate(connection):
        calls.append(1)
        connection.execute(text("INSERT INTO counters VALUES ('a', 5)"))

    with pytest.raises(IntegrityError):
        run_in_transaction(counters, duplicate, base_delay=0.01)
    assert len(calls) == 1

    calls.clear()

    def always_locked(connection):
        calls.append(1)
        raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))

    if counters.dialect.name == "sqlite":
        with pytest.raises(OperationalError):
            run_in_transaction(counters, always_locked, attempts=3, base_delay=0.01)
        assert len(calls) == 3


def _orphan(number: int) -> NormalisedPosting:
    text_ = " ".join([f"Posting {number} builds the billing service and reviews every change with the team."] * 5)
    return NormalisedPosting(
        source="remotewlb",
        source_id=f"orphan-{number}",
        source_key=f"orphan-{number}",
        url=f"{SITE}/job/orphan-{number}",
        title=f"Orphan {number} engineer",
        company=f"Firm {number}",
        description_text=text_,
    )


def test_a_posting_another_writer_is_adopting_is_passed_over_not_given_a_second_job(database_url):
    """Postings left without a job (a crash) are adopted by whichever crawl of their board gets them
    first; another crawl writing the board meanwhile neither waits for them nor matches them again."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: the second one cannot start before the first commits")
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    repository.upsert_postings(engine, [_orphan(number) for number in range(3)], None)
    mine = repository.upsert_postings(engine, [_orphan(3)], None).written_ids

    with engine.connect() as first:
        transaction = first.begin()
        adopted = assign_jobs_in(first, [], source="remotewlb")  # holds the three orphans (and the fourth)
        assert adopted.new_jobs == 4

        def second_writer(connection):
            # A lock wait would end in an error here: the orphans must be skipped, not waited for.
            connection.execute(text("SET LOCAL lock_timeout = '5s'"))
            return assign_jobs_in(connection, [], source="remotewlb")

        with engine.connect() as second:
            with second.begin():
                passed_over = second_writer(second)
        transaction.commit()
    assert (passed_over.new_jobs, passed_over.joined) == (0, 0)
    assert assign_jobs(engine, mine, source="remotewlb").refreshed == 1  # its own posting keeps its job
    assert query(database_url, "SELECT COUNT(*) AS n FROM postings WHERE job_id IS NULL") == [{"n": 0}]
    assert query(database_url, "SELECT COUNT(*) AS n FROM jobs") == [{"n": 4}]
    assert query(database_url, JOBS_WITHOUT_POSTINGS) == [{"n": 0}]
    engine.dispose()
