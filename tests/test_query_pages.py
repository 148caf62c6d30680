"""A page of search results (the walks of aggregator.query that stop early) agrees with ranking and
grouping every match (the exports' search), on both backends, after crawls, closes and reopens;
above the count cap the total says so and best match first ranks the newest matching jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from aggregator import query as query_module
from aggregator import repository
from aggregator.job_assignment import assign_jobs
from aggregator.query import JobFilters, _job, build_job_search, get_job, iter_jobs, search_jobs
from tests.conftest import BACKENDS, fresh_database
from tests.test_query import POSTINGS, _filled, posting

SEARCHES = [
    JobFilters(),
    JobFilters(q="developer"),
    JobFilters(q="developer", sort="newest"),
    JobFilters(q="c++ OR python"),
    JobFilters(q="rust NOT django"),
    JobFilters(sort="relevance"),
    JobFilters(country="CA"),
    JobFilters(region="EUROPE", q="azure"),
    JobFilters(remote_only=True),
    JobFilters(timezone="UTC+0"),
    JobFilters(timezone="UTC+0", strict_timezone=True, q="node.js"),
    JobFilters(worldwide=True),
    JobFilters(currency="CAD"),
    JobFilters(currency="CAD", min_salary=100000),
    JobFilters(currency="CAD", min_salary=100001),
    JobFilters(currency="EUR", min_salary=75000, q="developer"),
    JobFilters(seniority="senior", employment_type="full_time"),
    JobFilters(since="7d"),
    JobFilters(q="developer", exclude_company=("Globex",)),
]


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("pages")) as url:
        engine = _filled(url)
        yield engine
        engine.dispose()


def walked(engine, filters: JobFilters, page: int, limit: int) -> list[dict]:
    """The page as the walk finds it (what search_jobs runs when more than COUNT_CAP jobs match)."""
    built = build_job_search(engine.dialect.name, filters, page=page, limit=limit)
    with engine.connect() as connection:
        return [_job(row) for row in connection.execute(text(built.sql), built.params)]


def assert_pages_agree(engine) -> None:
    for filters in SEARCHES:
        every = list(iter_jobs(engine, filters))
        for limit in (2, 100):
            shown, walked_pages = [], []
            for number in range(1, len(every) // limit + 2):
                page = search_jobs(engine, filters, page=number, limit=limit)
                assert (page.total, page.total_capped) == (len(every), False), filters
                shown += page.jobs
                walked_pages += walked(engine, filters, number, limit)
            assert shown == every, filters
            assert walked_pages == every, filters


def test_pages_agree_with_every_match(engine):
    assert_pages_agree(engine)


def test_pages_agree_after_closes_reopens_and_a_new_crawl(engine):
    three_boards = POSTINGS[1]  # one board of the job listed on three
    alone = POSTINGS[3]  # the only posting of its job
    assert repository.close_gone(engine, three_boards.source, three_boards.url) == 1
    assert repository.close_gone(engine, alone.source, alone.url) == 1
    assert_pages_agree(engine)
    assert "C# Developer" not in [job["title"] for job in search_jobs(engine, JobFilters(q="developer")).jobs]

    # A crawl sees the closed posting again (reopened) and finds a new one.
    run_id = repository.start_run(engine, alone.source)
    newcomer = posting("alpha", "go", "Go Developer", "Go and gRPC", company="Umbrella", countries=["CA"])
    counts = repository.upsert_postings(engine, [alone, newcomer], run_id)
    assign_jobs(engine, counts.written_ids)
    repository.apply_lifecycle(engine, alone.source, run_id, healthy=False, close_after_missed=3)
    assert_pages_agree(engine)
    titles = [job["title"] for job in search_jobs(engine, JobFilters(q="developer")).jobs]
    assert "C# Developer" in titles and "Go Developer" in titles


def test_above_the_cap_the_total_says_so_and_best_match_ranks_the_newest(engine, monkeypatch):
    monkeypatch.setattr(query_module, "COUNT_CAP", 2)
    everything = list(iter_jobs(engine, JobFilters()))
    page = search_jobs(engine, JobFilters(), limit=100)
    assert (page.total, page.total_capped) == (2, True)
    assert page.jobs == everything  # newest first is not capped: it walks as far as the page goes
    matching = list(iter_jobs(engine, JobFilters(q="developer", sort="newest")))
    assert len(matching) > 2
    best = search_jobs(engine, JobFilters(q="developer"), limit=100)
    assert (best.total, best.total_capped) == (2, True)
    if engine.dialect.name == "sqlite":
        # SQLite walks FTS5's matches newest stored posting first (every open posting of these matches).
        def newest_posting(job):
            return max(p["id"] for p in get_job(engine, job["id"])["postings"] if p["closed_at"] is None)

        candidates = sorted(matching, key=newest_posting, reverse=True)[:2]
    else:  # PostgreSQL walks the jobs newest first
        candidates = matching[:2]
    expected = sorted(candidates, key=lambda job: (-job["score"], -job["first_seen_at"].timestamp(), -job["id"]))
    assert [job["id"] for job in best.jobs] == [job["id"] for job in expected]
    assert len(best.jobs) == 2


def test_a_salary_far_in_the_past_does_not_count(engine):
    old = posting("beta", "old-pay", "Rust Developer", "Rust", company="Oldpay", salary_min=500000,
                  salary_max=600000, salary_currency="CAD", salary_period="year", salary_annual_min=500000,
                  salary_annual_max=600000)  # fmt: skip
    written = repository.upsert_postings(engine, [old], None, seen_at=datetime.now(UTC) - timedelta(days=60))
    assign_jobs(engine, written.written_ids)
    assert repository.close_gone(engine, old.source, old.url) == 1
    assert "Rust Developer" not in [
        job["title"] for job in search_jobs(engine, JobFilters(currency="CAD", min_salary=400000)).jobs
    ]
    assert_pages_agree(engine)
