"""Full-text search: the query language (aggregator.query_language) run by the one search
(aggregator.query, one row per job) and `aggregator search`, on SQLite FTS5 and PostgreSQL tsvector.

Every posting here is a job of its own, so each job is named by its posting's key."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from aggregator import repository
from aggregator.cli import main
from aggregator.db import make_engine, upgrade_to_head
from aggregator.items import NormalisedPosting
from aggregator.job_assignment import assign_jobs
from aggregator.query import FilterError, JobFilters, build_job_search, iter_jobs, search_jobs
from aggregator.query_language import QueryError, parse_query, to_fts5, to_tsquery
from tests.conftest import BACKENDS, ROOT, fresh_database, load_expected, query

NOW = datetime.now(UTC)
ITEMS_URLS = {e["url"] for e in load_expected() if e["expect"] == "item"}
FILLER = " ".join(["The team ships software every week and reviews every change together."] * 6)


def posting(key: str, title: str, description: str = "", **fields) -> NormalisedPosting:
    values = {
        "source": "testboard",
        "source_id": key,
        "source_key": key,
        "url": f"https://jobs.example/{key}",
        "title": title,
        "company": "Acme",
        "workplace": "remote",
        "description_text": f"{description} {FILLER}",
        "date_posted": datetime(2024, 5, 1, tzinfo=UTC),
    }
    return NormalisedPosting(**(values | fields))


POSTINGS = [
    posting("py-senior", "Senior Python Developer", "Django and PostgreSQL, remote from Germany.",
            countries=["DE"], salary_min=90000, salary_max=110000, salary_currency="EUR", salary_period="year",
            salary_annual_min=90000, salary_annual_max=110000),
    posting("backend", "Backend Engineer", "Our services are written in Python and Go.", company="Globex",
            countries=["US"], salary_min=150000, salary_currency="USD", salary_period="year",
            salary_annual_min=150000),
    posting("java", "Java Developer", "Java and Spring Boot, a little Python scripting.", company="Initech",
            workplace="hybrid", countries=["DE", "AT"], salary_min=70000, salary_max=80000, salary_currency="EUR",
            salary_period="year", salary_annual_min=70000, salary_annual_max=80000),
    posting("ml", "Machine Learning Engineer", "Machine learning with Python and PyTorch.", company="Umbrella",
            worldwide=True),
    posting("data", "Data Engineer", "Learning machine data pipelines in Scala and Spark.", company="Hooli",
            countries=["GB"], salary_min=40, salary_max=50, salary_currency="EUR", salary_period="hour",
            salary_annual_min=83200, salary_annual_max=104000),
    posting("golang", "Go Developer", "Golang microservices and Kubernetes.", company="Pyramid Labs"),
    posting("devops", "DevOps Engineer", "Kubernetes, Terraform and Python tooling.", company="Vandelay"),
    posting("closed", "Python Developer (filled)", "Django and Python.", company="Gone Inc"),
    posting("fr", "Développeur PHP Symfony H/F", "Télétravail partiel, équipe à Lyon.", company="Septeo",
            countries=["FR"]),
]  # fmt: skip
OLD = posting("old", "Python Developer (old)", "Python all day.", company="Oldco")


def _filled(url: str):
    engine = make_engine(url)
    upgrade_to_head(engine)
    written = repository.upsert_postings(engine, POSTINGS, None, seen_at=NOW).written_ids
    written += repository.upsert_postings(engine, [OLD], None, seen_at=NOW - timedelta(days=30)).written_ids
    assign_jobs(engine, written)  # `aggregator search` answers with jobs
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE postings SET closed_at = :now, close_reason = 'gone' WHERE source_key = 'closed'"),
            {"now": NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW},
        )
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    """One database per backend for the tests that only read."""
    with fresh_database(request.param, tmp_path_factory.mktemp("search")) as url:
        engine = _filled(url)
        yield engine
        engine.dispose()


@pytest.fixture
def own_engine(database_url):
    """A database of the test's own, for tests that write."""
    engine = _filled(database_url)
    yield engine
    engine.dispose()


def keys(jobs) -> list[str]:
    return [job["url"].rsplit("/", 1)[-1] for job in jobs]


def search(engine, q: str, limit: int = 100, **filters) -> list[dict]:
    """The first page of jobs matching ``q`` and ``filters``, best match first."""
    return search_jobs(engine, JobFilters(q=q, **filters), limit=limit).jobs


def test_every_posting_is_a_job_of_its_own(engine):
    with_an_open_posting = [p.source_key for p in [*POSTINGS, OLD] if p.source_key != "closed"]
    assert sorted(keys(iter_jobs(engine, JobFilters()))) == sorted(with_an_open_posting)


def test_results_are_ranked_and_only_jobs_with_an_open_match(engine):
    jobs = search(engine, "python")
    found = keys(jobs)
    assert "closed" not in found  # its one posting is closed
    assert set(found) == {"py-senior", "backend", "java", "ml", "devops", "old"}
    # A title match beats a match in the description only.
    assert found.index("py-senior") < found.index("backend")
    assert found.index("old") < found.index("devops")
    assert [job["score"] for job in jobs] == sorted((job["score"] for job in jobs), reverse=True)
    assert jobs[0]["first_seen_at"].tzinfo is not None


def test_company_is_searched_and_limit_is_applied(engine):
    assert keys(search(engine, "globex")) == ["backend"]
    page = search_jobs(engine, JobFilters(q="python"), limit=2)
    assert len(page.jobs) == 2 and page.total == 6


def test_implicit_and_explicit_and_or_not(engine):
    assert set(keys(search(engine, "python django"))) == {"py-senior"}
    assert set(keys(search(engine, "python AND django"))) == {"py-senior"}
    assert set(keys(search(engine, "scala OR golang"))) == {"data", "golang"}
    assert set(keys(search(engine, "python NOT java"))) == {"py-senior", "backend", "ml", "devops", "old"}
    assert set(keys(search(engine, "python -java -kubernetes"))) == {"py-senior", "backend", "ml", "old"}
    assert set(keys(search(engine, "(scala OR golang) AND kubernetes"))) == {"golang"}
    assert set(keys(search(engine, "python and django or spark"))) == {"py-senior", "data"}


def test_phrases_keep_word_order(engine):
    assert set(keys(search(engine, '"machine learning"'))) == {"ml"}
    assert set(keys(search(engine, '"learning machine"'))) == {"data"}
    assert set(keys(search(engine, '"spring boot" java'))) == {"java"}


def test_prefix_and_stemming(engine):
    assert set(keys(search(engine, "kube*"))) == {"golang", "devops"}
    assert set(keys(search(engine, "pyth*"))) == {"py-senior", "backend", "java", "ml", "devops", "old"}
    assert keys(search(engine, "pyra*")) == ["golang"]  # the company, "Pyramid Labs"
    assert keys(search(engine, '"spring boot"')) == keys(search(engine, "spri* boot")) == ["java"]
    assert set(keys(search(engine, "engineers"))) == {"backend", "ml", "data", "devops"}


def test_accents_are_folded(engine):
    assert keys(search(engine, "developpeur")) == ["fr"]
    assert keys(search(engine, "DÉVELOPPEUR symfony")) == ["fr"]
    assert keys(search(engine, '"teletravail partiel"')) == ["fr"]
    assert keys(search(engine, "equipe lyon")) == ["fr"]


def test_country_filter_uses_the_countries_array(engine):
    assert set(keys(search(engine, "python", country="DE"))) == {"py-senior", "java"}
    assert set(keys(search(engine, "python", country="at"))) == {"java"}
    assert keys(search(engine, "python", country="FR")) == []


def test_remote_only_and_worldwide(engine):
    assert "java" not in keys(search(engine, "python", remote_only=True))
    assert set(keys(search(engine, "python", remote_only=True))) == {"py-senior", "backend", "ml", "devops", "old"}
    assert keys(search(engine, "engineer", worldwide=True)) == ["ml"]


def test_salary_filter_compares_yearly_pay_in_one_currency(engine):
    assert set(keys(search(engine, "developer OR engineer", min_salary=80000, currency="EUR"))) == {
        "py-senior", "data", "java",  # data: 40–50 EUR an hour is 83,200–104,000 a year; java: up to 80,000
    }  # fmt: skip
    assert set(keys(search(engine, "developer OR engineer", min_salary=100000, currency="EUR"))) == {
        "py-senior", "data",
    }  # fmt: skip
    assert keys(search(engine, "developer OR engineer", min_salary=120000, currency="EUR")) == []
    assert keys(search(engine, "developer OR engineer", min_salary=120000, currency="usd")) == ["backend"]
    assert set(keys(search(engine, "developer", currency="EUR"))) == {"py-senior", "java"}
    with pytest.raises(FilterError, match="currency"):
        search(engine, "python", min_salary=50000)


def test_since_filter(engine):
    assert "old" not in keys(search(engine, "python", since="7d"))
    assert "old" not in keys(search(engine, "python", since="24h"))
    assert "old" in keys(search(engine, "python", since="5w"))
    assert "old" in keys(search(engine, "python", since=(NOW - timedelta(days=40)).date().isoformat()))
    assert keys(search(engine, "python", since=(NOW + timedelta(days=1)).date().isoformat())) == []
    with pytest.raises(FilterError, match="since"):
        search(engine, "python", since="last tuesday")


INJECTIONS = [
    "'; DROP TABLE postings; --",
    "python'; DELETE FROM postings WHERE '1'='1",
    '") OR 1=1 --',
    "python' | 'java",
    "python & !java",
    "<-> :* !",
    "title:java",
    "{title company}: python",
    "NEAR(python django, 2)",
    "^python",
    'python"',
    "\\'\\\\",
    "% _ ;",
    "python\x00",
    "日本語 OR café",
]
STORED = "SELECT id, title, company, description_text, job_id FROM postings ORDER BY id"


def test_input_that_looks_like_syntax_stays_text(engine):
    url = engine.url.render_as_string(hide_password=False)
    before = query(url, STORED), query(url, "SELECT id, title, company FROM jobs ORDER BY id")
    for text_in in INJECTIONS:
        for filters in (JobFilters(q=text_in), JobFilters(q="python", exclude_company=(text_in,))):
            try:
                jobs = search_jobs(engine, filters, limit=100).jobs
            except QueryError:
                continue
            assert all(job["url"].startswith("https://jobs.example/") for job in jobs), text_in
    assert (query(url, STORED), query(url, "SELECT id, title, company FROM jobs ORDER BY id")) == before
    # A column filter in FTS5 syntax, and a tsquery: here they are words like any other.
    assert keys(search(engine, "title:java")) == []
    assert keys(search(engine, "python' | 'golang")) == []
    assert keys(search(engine, "(python' | 'golang)")) == []


def test_query_language_is_rendered_with_every_term_quoted():
    tree = parse_query('python AND ("machine learning" OR kube*) NOT java')
    assert to_fts5(tree) == '(("python") AND (("machine learning") OR ("kube"*))) NOT ("java")'
    assert to_tsquery(tree) == "('python') & (('machine learning') | ('kube':*)) & (!('java'))"
    assert to_tsquery(parse_query("o'reilly")) == "'o\\'reilly'"
    assert to_fts5(parse_query('say "hi""')) == '("say") AND ("hi")'
    bound = {
        "postgresql": {"query": "('x\\'') | ('1=1')", "countries": '["DE"]'},
        "sqlite": {"query": '("x\'") OR ("1=1")', "country": "DE"},
    }
    for dialect, values in bound.items():
        built = build_job_search(dialect, JobFilters(q="x' OR 1=1", country="DE"))
        for sql in (built.sql, built.count_sql, built.ids_sql, built.known_sql):
            assert "1=1" not in sql and '"DE"' not in sql and "'DE'" not in sql
        assert built.params == built.params | values


@pytest.mark.parametrize(
    "bad", ["", "   ", "NOT java", "-java", "python OR NOT java", "(python", "python)", "python NOT", "+++ ***"]
)
def test_queries_that_cannot_run_are_refused_with_a_reason(bad):
    with pytest.raises(QueryError):
        parse_query(bad)


@pytest.mark.parametrize(
    "filters, limit, parameter",
    [({"country": "Germany"}, 20, "country"), ({"currency": "EURO"}, 20, "currency"), ({}, 0, "limit")],
)
def test_bad_filters_are_refused(filters, limit, parameter):
    with pytest.raises(FilterError) as raised:
        build_job_search("sqlite", JobFilters(q="python", **filters), limit=limit)
    assert raised.value.parameter == parameter


def test_index_follows_inserts_updates_and_deletes(own_engine):
    engine = own_engine
    changed = posting("golang", "Rust Developer", "Rust and WebAssembly.", company="Pyramid Labs")
    counts = repository.upsert_postings(engine, [changed, posting("new", "Elixir Developer", "Phoenix.")], None)
    assert (counts.new, counts.updated) == (1, 1)
    assign_jobs(engine, counts.written_ids)
    assert keys(search(engine, "rust")) == ["golang"]
    assert keys(search(engine, "golang")) == []
    assert keys(search(engine, "elixir")) == ["new"]
    # Unchanged postings only have last_seen_at touched: still found, no reindex needed.
    repository.upsert_postings(engine, [changed], None)
    assert keys(search(engine, "webassembly")) == ["golang"]
    with engine.begin() as connection:
        new = "(SELECT id FROM postings WHERE source_key = 'new')"
        connection.execute(text(f"UPDATE jobs SET best_posting_id = NULL WHERE best_posting_id IN {new}"))
        connection.execute(text("DELETE FROM postings WHERE source_key = 'new'"))
    assert keys(search(engine, "elixir")) == []
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            # Raises when the external-content index disagrees with the postings table.
            connection.exec_driver_sql("INSERT INTO postings_fts(postings_fts, rank) VALUES ('integrity-check', 1)")
            indexed = connection.exec_driver_sql("SELECT COUNT(*) FROM postings_fts").scalar()
            stored = connection.exec_driver_sql("SELECT COUNT(*) FROM postings").scalar()
        assert indexed == stored


def test_the_full_text_index_drives_the_query(engine):
    """Exports find every match through the index, on both backends; so does the walk of a page's
    matching jobs on SQLite. PostgreSQL's page walk goes newest job first and reads a word's matches
    from the index only when its statistics say the word is rare: the planner's choice, not tested."""
    filters = JobFilters(q="python django", country="DE")
    export = build_job_search(engine.dialect.name, filters, limit=None)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Nine postings fit in a page: any planner would rather read them all, or walk them in
            # job order (ix_postings_job_id) to save sorting nine rows. With statistics it knows that
            # every posting has a job, so only bitmap scans are left and the selective one must win.
            connection.exec_driver_sql("ANALYZE postings")
            for scan in ("seqscan", "indexscan"):
                connection.exec_driver_sql(f"SET LOCAL enable_{scan} = off")
            plan = "\n".join(connection.execute(text(f"EXPLAIN {export.sql}"), export.params).scalars())
            assert "ix_postings_search_vector" in plan, plan
            return
        page = build_job_search(engine.dialect.name, filters)
        for sql, params in ((export.sql, export.params), (page.ids_sql, page.params)):
            plan = "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params))
            assert "SCAN postings_fts VIRTUAL TABLE" in plan, plan
            assert "SEARCH postings USING" in plan, plan  # each match looked up, not the table read


def test_cli_prints_a_ranked_table(engine, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["search", "python", "--country", "DE", "--min-salary", "85000", "--currency", "EUR"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["#", "title", "company", "where"]
    assert "Senior Python Developer" in lines[2] and "https://jobs.example/py-senior" in lines[2]
    assert "EUR 90k–110k/yr" in lines[2] and "DE" in lines[2] and f"{NOW:%Y-%m-%d}" in lines[2]  # first seen
    assert "Java Developer" not in out

    assert main(["search", "python", "--since", "7d", "-n", "2", "--remote-only"]) == 0
    out = capsys.readouterr().out
    assert out.count("https://jobs.example/") == 2 and "(old)" not in out

    assert main(["search", "cobol"]) == 0
    assert "no open jobs" in capsys.readouterr().out
    assert main(["search", "NOT java"]) == 2
    assert "NOT" in capsys.readouterr().err
    assert main(["search", "python", "--min-salary", "50000"]) == 2


def test_cli_runs_as_a_command(engine, tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "aggregator", "search", '"machine learning"', "--worldwide"],
        cwd=tmp_path,
        env={"AGGREGATOR_DATABASE_URL": engine.url.render_as_string(hide_password=False), "PATH": "",
             "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "Machine Learning Engineer" in completed.stdout and "worldwide" in completed.stdout


def test_search_over_a_real_crawl(remotewlb_crawled_twice):
    """The recorded site through `scrapy crawl` (shared with test_remotewlb_crawl): the jobs of its open
    postings are found."""
    url = remotewlb_crawled_twice["url"]
    open_postings = query(url, "SELECT url, title, job_id FROM postings WHERE closed_at IS NULL")
    engine = make_engine(url)
    try:
        jobs = [job["id"] for job in iter_jobs(engine, JobFilters(q="developer"))]  # best match first
        assert set(jobs) <= {row["job_id"] for row in open_postings if row["url"] in ITEMS_URLS}
        titled = {row["job_id"] for row in open_postings if "develop" in row["title"].lower()}
        assert titled <= set(jobs)  # "development" too: both words stem to "develop"
        # The word in the title counts for more than in the description.
        positions = [number for number, job in enumerate(jobs) if job in titled]
        others = [number for number, job in enumerate(jobs) if job not in titled]
        assert positions[0] == 0 and sum(positions) / len(positions) < sum(others) / len(others)
        accented = {row["job_id"] for row in open_postings if "Développeur" in row["title"]}
        assert accented <= {job["id"] for job in iter_jobs(engine, JobFilters(q="developpeur"))}
    finally:
        engine.dispose()
