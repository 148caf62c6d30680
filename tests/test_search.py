"""Full-text search (aggregator.search and `aggregator search`) on SQLite FTS5 and PostgreSQL tsvector."""

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
from aggregator.search import QueryError, build_search, parse_query, search, to_fts5, to_tsquery
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


def keys(hits) -> list[str]:
    return [hit.url.rsplit("/", 1)[-1] for hit in hits]


def test_results_are_ranked_and_only_open_postings(engine):
    hits = search(engine, "python")
    found = keys(hits)
    assert "closed" not in found
    assert set(found) == {"py-senior", "backend", "java", "ml", "devops", "old"}
    # A title match beats a match in the description only.
    assert found.index("py-senior") < found.index("backend")
    assert found.index("old") < found.index("devops")
    assert [hit.rank for hit in hits] == sorted((hit.rank for hit in hits), reverse=True)
    assert hits[0].first_seen_at.tzinfo is not None


def test_company_is_searched_and_limit_is_applied(engine):
    assert keys(search(engine, "globex")) == ["backend"]
    assert len(search(engine, "python", limit=2)) == 2


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
    with pytest.raises(QueryError, match="currency"):
        search(engine, "python", min_salary=50000)


def test_since_filter(engine):
    assert "old" not in keys(search(engine, "python", since="7d"))
    assert "old" not in keys(search(engine, "python", since="24h"))
    assert "old" in keys(search(engine, "python", since="5w"))
    assert "old" in keys(search(engine, "python", since=(NOW - timedelta(days=40)).date().isoformat()))
    assert keys(search(engine, "python", since=(NOW + timedelta(days=1)).date().isoformat())) == []
    with pytest.raises(QueryError, match="since"):
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


def test_input_that_looks_like_syntax_stays_text(engine):
    url = engine.url.render_as_string(hide_password=False)
    before = query(url, "SELECT id, title, company, description_text FROM postings ORDER BY id")
    for text_in in INJECTIONS:
        try:
            hits = search(engine, text_in)
        except QueryError:
            continue
        assert all(hit.url.startswith("https://jobs.example/") for hit in hits), text_in
    assert query(url, "SELECT id, title, company, description_text FROM postings ORDER BY id") == before
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
    sql, params = build_search("postgresql", "x' OR 1=1", country="DE")
    assert "1=1" not in sql and '"DE"' not in sql and "'DE'" not in sql
    assert params == params | {"query": "('x\\'') | ('1=1')", "countries": '["DE"]'}


@pytest.mark.parametrize(
    "bad", ["", "   ", "NOT java", "-java", "python OR NOT java", "(python", "python)", "python NOT", "+++ ***"]
)
def test_queries_that_cannot_run_are_refused_with_a_reason(bad):
    with pytest.raises(QueryError):
        parse_query(bad)


def test_bad_filters_are_refused():
    for arguments in ({"country": "Germany"}, {"currency": "EURO"}, {"limit": 0}):
        with pytest.raises(QueryError):
            build_search("sqlite", "python", **arguments)


def test_index_follows_inserts_updates_and_deletes(own_engine):
    engine = own_engine
    changed = posting("golang", "Rust Developer", "Rust and WebAssembly.", company="Pyramid Labs")
    counts = repository.upsert_postings(engine, [changed, posting("new", "Elixir Developer", "Phoenix.")], None)
    assert (counts.new, counts.updated) == (1, 1)
    assert keys(search(engine, "rust")) == ["golang"]
    assert keys(search(engine, "golang")) == []
    assert keys(search(engine, "elixir")) == ["new"]
    # Unchanged postings only have last_seen_at touched: still found, no reindex needed.
    repository.upsert_postings(engine, [changed], None)
    assert keys(search(engine, "webassembly")) == ["golang"]
    with engine.begin() as connection:
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
    sql, params = build_search(engine.dialect.name, "python django", country="DE")
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Eight postings fit in a page: without this any planner would rather read them all.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(connection.execute(text(f"EXPLAIN {sql}"), params).scalars())
            assert "ix_postings_search_vector" in plan, plan
        else:
            plan = "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params))
            assert "SCAN postings_fts VIRTUAL TABLE" in plan, plan
            assert "SEARCH postings USING INTEGER PRIMARY KEY" in plan, plan


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
    """The recorded site through `scrapy crawl` (shared with test_remotewlb_crawl): its open postings are found."""
    url = remotewlb_crawled_twice["url"]
    open_postings = {
        row["url"]: row["title"] for row in query(url, "SELECT url, title FROM postings WHERE closed_at IS NULL")
    }
    engine = make_engine(url)
    try:
        hits = search(engine, "developer", limit=1000)
        assert {hit.url for hit in hits} <= set(open_postings) & ITEMS_URLS
        titled = {posting for posting, title in open_postings.items() if "develop" in title.lower()}
        assert titled <= {hit.url for hit in hits}  # "development" too: both words stem to "develop"
        # The word in the title counts for more than in the description.
        positions = [number for number, hit in enumerate(hits) if hit.url in titled]
        others = [number for number, hit in enumerate(hits) if hit.url not in titled]
        assert positions[0] == 0 and sum(positions) / len(positions) < sum(others) / len(others)
        accented = {posting for posting, title in open_postings.items() if "Développeur" in title}
        assert accented <= {hit.url for hit in search(engine, "developpeur", limit=1000)}
    finally:
        engine.dispose()
