"""Search that answers with jobs (aggregator.query), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from aggregator import repository
from aggregator.cli import main
from aggregator.db import make_engine, upgrade_to_head
from aggregator.items import NormalisedPosting
from aggregator.job_assignment import assign_jobs
from aggregator.query import FilterError, JobFilters, build_job_search, get_job, iter_jobs, search_jobs
from tests.conftest import BACKENDS, fresh_database

NOW = datetime.now(UTC)
DESCRIPTION = (
    "We build payment infrastructure used by thousands of shops. You will design services, review code and "
    "mentor engineers. Our stack: {stack}. We value calm work, written communication and ownership. "
)


def posting(source: str, key: str, title: str, stack: str, **fields) -> NormalisedPosting:
    values = {
        "source": source,
        "source_id": key,
        "source_key": key,
        "url": f"https://{source}.example/{key}",
        "title": title,
        "company": "Acme",
        "workplace": "remote",
        "description_text": DESCRIPTION.format(stack=stack) * 3,
        "date_posted": datetime(2024, 5, 1, tzinfo=UTC),
    }
    return NormalisedPosting(**(values | fields))


def salary(low: float, high: float, currency: str = "CAD") -> dict:
    return {"salary_min": low, "salary_max": high, "salary_currency": currency, "salary_period": "year",
            "salary_annual_min": low, "salary_annual_max": high}  # fmt: skip


# One opening on three boards (one of them with an extra zero), and single-board jobs around it.
SAME_JOB = dict(apply_url="https://acme.example/apply/42", countries=["CA"], seniority="senior",
                employment_type="full_time")  # fmt: skip
POSTINGS = [
    posting("alpha", "cpp-1", "Senior C++ Engineer", "C++ and Rust", **SAME_JOB, **salary(90000, 110000)),
    posting("beta", "cpp-2", "Senior C++ Engineer", "C++ and Rust", **SAME_JOB, **salary(900000, 1100000)),
    posting("gamma", "cpp-3", "Senior C++ Engineer", "C++ and Rust", **SAME_JOB, **salary(95000, 105000)),
    posting("alpha", "csharp", "C# Developer", ".NET and Azure", company="Globex", countries=["DE"], regions=["EUROPE"],
            seniority="mid", employment_type="contract", **salary(70000, 80000, "EUR")),
    posting("alpha", "node", "Node.js Developer", "node.js and TypeScript", company="Initech", worldwide=True,
            tz_min=-5.0, tz_max=1.0),
    posting("beta", "python", "Python Developer", "Python and Django", company="Hooli", countries=["GB"],
            workplace="hybrid"),
]  # fmt: skip
OLD = posting("beta", "old", "Python Developer (old)", "Python all day", company="Oldco")


def _filled(url: str):
    engine = make_engine(url)
    upgrade_to_head(engine)
    written = repository.upsert_postings(engine, POSTINGS, None, seen_at=NOW).written_ids
    written += repository.upsert_postings(engine, [OLD], None, seen_at=NOW - timedelta(days=30)).written_ids
    assign_jobs(engine, written)
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("query")) as url:
        engine = _filled(url)
        yield engine
        engine.dispose()


def titles(page) -> list[str]:
    return [job["title"] for job in page.jobs]


def test_a_job_on_three_boards_is_one_row_with_its_board_count(engine):
    page = search_jobs(engine, JobFilters(q="rust"))
    assert page.total == 1 and titles(page) == ["Senior C++ Engineer"]
    assert page.jobs[0]["boards"] == 3


def test_the_salary_is_the_median_posting_not_the_outlier(engine):
    (job,) = search_jobs(engine, JobFilters(q="rust")).jobs
    assert (job["salary_min"], job["salary_max"], job["salary_currency"]) == (95000, 105000, "CAD")
    assert titles(search_jobs(engine, JobFilters(min_salary=100000, currency="CAD"))) == ["Senior C++ Engineer"]
    assert search_jobs(engine, JobFilters(min_salary=200000, currency="CAD")).total == 0


def test_empty_query_lists_every_open_job_newest_first_and_pages(engine):
    everything = search_jobs(engine, JobFilters(), limit=100)
    assert everything.total == 5 and len(everything.jobs) == 5
    assert everything.jobs[-1]["title"] == "Python Developer (old)"
    first, second = (search_jobs(engine, JobFilters(), page=n, limit=3) for n in (1, 2))
    assert first.total == second.total == 5
    assert titles(first) + titles(second) == titles(everything)


@pytest.mark.parametrize(
    "filters, expected",
    [
        (JobFilters(country="de"), ["C# Developer"]),
        (JobFilters(region="EUROPE"), ["C# Developer"]),
        (JobFilters(worldwide=True), ["Node.js Developer"]),
        (JobFilters(timezone="UTC+0", strict_timezone=True), ["Node.js Developer"]),
        (JobFilters(timezone="UTC+9", strict_timezone=True), []),
        (JobFilters(seniority="Senior"), ["Senior C++ Engineer"]),
        (JobFilters(employment_type="contract"), ["C# Developer"]),
        (JobFilters(currency="EUR"), ["C# Developer"]),
        (JobFilters(since="7d", q="python"), ["Python Developer"]),
        (
            JobFilters(q="developer", exclude_company=("globex", "INITECH")),
            ["Python Developer", "Python Developer (old)"],
        ),
    ],
)
def test_filters(engine, filters, expected):
    assert sorted(titles(search_jobs(engine, filters, limit=100))) == sorted(expected)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("c++", ["Senior C++ Engineer"]),
        ('"senior c++ engineer"', ["Senior C++ Engineer"]),
        ("c#", ["C# Developer"]),
        (".net", ["C# Developer"]),
        ("node.js", ["Node.js Developer"]),
        ("c++ OR c#", ["C# Developer", "Senior C++ Engineer"]),
    ],
)
def test_names_with_punctuation_are_words(engine, query, expected):
    """Before migration 0008 "c++" and "c#" were both the word "c" and found each other's jobs."""
    assert sorted(titles(search_jobs(engine, JobFilters(q=query), limit=100))) == expected


def test_remote_only_leaves_out_hybrid(engine):
    assert "Python Developer" not in titles(search_jobs(engine, JobFilters(remote_only=True), limit=100))


def test_best_match_first_with_a_query(engine):
    page = search_jobs(engine, JobFilters(q="python"))
    assert titles(page)[0].startswith("Python Developer") and page.jobs[0]["score"] > 0


def test_exports_stream_every_match(engine):
    assert [job["title"] for job in iter_jobs(engine, JobFilters(q="developer"), batch=1)] == titles(
        search_jobs(engine, JobFilters(q="developer"), limit=100)
    )


def test_a_job_with_its_postings(engine):
    (job,) = search_jobs(engine, JobFilters(q="rust")).jobs
    detail = get_job(engine, job["id"])
    assert {posting["source"] for posting in detail["postings"]} == {"alpha", "beta", "gamma"}
    assert all(posting["dedup_reason"] for posting in detail["postings"])
    assert get_job(engine, 999999) is None


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"colour": ["red"]}, "colour"),
        ({"country": ["Germany"]}, "country"),
        ({"min_salary": ["lots"]}, "min_salary"),
        ({"min_salary": ["50000"]}, "min_salary"),
        ({"since": ["yesterday"]}, "since"),
        ({"remote_only": ["maybe"]}, "remote_only"),
        ({"timezone": ["Mars/Olympus"]}, "timezone"),
        ({"seniority": ["wizard"]}, "seniority"),
        ({"q": ["NOT java"]}, "q"),
        ({"country": ["DE", "FR"]}, "country"),
        ({"sort": ["random"]}, "sort"),
        ({"exclude_company": ["Acme\x00"]}, "exclude_company"),
    ],
)
def test_bad_parameters_are_named(params, parameter):
    with pytest.raises(FilterError) as raised:
        JobFilters.from_params(params)
    assert raised.value.parameter == parameter


def test_page_size_is_capped():
    with pytest.raises(FilterError) as raised:
        build_job_search("sqlite", JobFilters(), limit=1000)
    assert raised.value.parameter == "limit"


def test_values_are_bound_never_spliced():
    hostile = "x'; DROP TABLE jobs; --"
    built = build_job_search("postgresql", JobFilters(q=hostile, exclude_company=(hostile,)))
    assert "DROP" not in built.sql and "DROP" not in built.count_sql
    assert any("drop" in str(value).lower() for value in built.params.values())


@pytest.fixture
def cli_database(engine, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return tmp_path


def test_cli_search_formats(cli_database, capsys):
    assert main(["search", "rust", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["total"] == 1 and answer["jobs"][0]["boards"] == 3 and answer["jobs"][0]["salary_min"] == 95000
    assert main(["search", "--format", "csv", "--country", "DE"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["title"] for row in rows] == ["C# Developer"] and rows[0]["salary_currency"] == "EUR"
    assert main(["search", "rust"]) == 0
    table = capsys.readouterr().out
    assert "Senior C++ Engineer" in table and "CAD 95k–105k/yr" in table and "(1–1 of 1 jobs)" in table
    assert main(["search", "--seniority", "wizard"]) == 2
    assert "seniority" in capsys.readouterr().err


def test_cli_export_formats(cli_database, capsys):
    assert main(["export", "developer", "--format", "ndjson"]) == 0
    jobs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(jobs) == 4 and all(job["boards"] == 1 for job in jobs)
    assert main(["export", "--format", "jsonld", "--currency", "CAD"]) == 0
    (ld,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert ld["@type"] == "JobPosting" and ld["baseSalary"]["currency"] == "CAD"
    assert ld["baseSalary"]["value"]["minValue"] == 95000 and ld["employmentType"] == "FULL_TIME"
    assert main(["export", "--format", "csv", "-o", str(cli_database / "jobs.csv")]) == 0
    assert len(list(csv.DictReader(open(cli_database / "jobs.csv", encoding="utf-8")))) == 5


def test_cli_boards(cli_database, capsys):
    assert main(["boards"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["board", "enabled", "schedule"]
    alpha = next(line.split() for line in lines if line.startswith("alpha "))
    assert alpha[-2:] == ["3", "3"]  # open postings, postings; never crawled by a run
    assert "never" in alpha


def test_python_api(engine, monkeypatch, tmp_path):
    import aggregator

    monkeypatch.chdir(tmp_path)
    with aggregator.open(engine.url.render_as_string(hide_password=False)) as db:
        (job,) = db.jobs(q="c++")
        assert job["boards"] == 3 and job["salary_min"] == 95000
        assert [j["title"] for j in db.jobs(country="DE")] == ["C# Developer"]
        assert len(db.job(job["id"])["postings"]) == 3
        with pytest.raises(FilterError):
            list(db.jobs(country="Germany"))
        try:
            import pandas  # noqa: F401
        except ImportError:
            with pytest.raises(ImportError, match="pandas"):
                db.to_dataframe()
        else:
            assert len(db.to_dataframe()) == 5
