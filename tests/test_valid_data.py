"""Valid data only: dates as real, range-checked moments; web URLs; salaries a posting can mean."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from aggregator.db import alembic_config
from aggregator.items import RawPosting
from aggregator.normalise.dates import end_moment, read_date, start_moment
from aggregator.normalise.plausible import salary_problem
from aggregator.normalise.posting import normalise_posting
from aggregator.normalise.salary import Salary, parse_salary
from aggregator.normalise.urls import web_url
from pipelines.normalise import invalid_values


@pytest.mark.parametrize(
    ("value", "start", "problem"),
    [
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC), None),
        ("2024-06-02T02:00:00+02:00", datetime(2024, 6, 2, tzinfo=UTC), None),
        ("2024-06-02 10:30", datetime(2024, 6, 2, 10, 30, tzinfo=UTC), None),
        ("20991231", datetime(2099, 12, 31, tzinfo=UTC), None),  # a compact date, not Unix seconds
        ("1714521600", datetime(2024, 5, 1, tzinfo=UTC), None),
        (1714521600000, datetime(2024, 5, 1, tzinfo=UTC), None),
        ("2025-13-45", None, "unreadable"),
        ("20251345", None, "unreadable"),
        ("soon", None, "unreadable"),
        ("0001-01-01", None, "out_of_range"),
        ("9999-12-31T23:59:59Z", None, "out_of_range"),
        ("0", None, "out_of_range"),
        (float("nan"), None, "unreadable"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_dates_are_read_and_range_checked(value, start, problem):
    reading = read_date(value)
    assert (reading.moment, reading.problem) == (start, problem)


def test_a_date_only_valid_through_lasts_the_whole_day():
    assert end_moment("2024-05-31") == datetime(2024, 5, 31, 23, 59, 59, tzinfo=UTC)
    assert start_moment("2024-05-31") == datetime(2024, 5, 31, tzinfo=UTC)
    assert end_moment("2024-05-31T12:00:00Z") == datetime(2024, 5, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("https://acme.com/jobs/1", None, ("https://acme.com/jobs/1", None)),
        ("/jobs/1", "https://remotewlb.com/job/x", ("https://remotewlb.com/jobs/1", None)),
        ("//acme.com/apply", None, ("https://acme.com/apply", None)),
        ("javascript:apply()", "https://remotewlb.com/job/x", (None, "not_http")),
        ("data:text/html,<b>hi</b>", None, (None, "not_http")),
        ("mailto:jobs@acme.com", None, (None, "not_http")),
        ("ftp://acme.com/job", None, (None, "not_http")),
        ("jobs/1", None, (None, "relative_without_base")),
        ("", None, (None, None)),
    ],
)
def test_only_absolute_web_urls(value, base, expected):
    assert web_url(value, base) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("-$50,000 - $80,000", "negative"),
        ("$-50,000", "negative"),
        ("USD -100000 to -80000", "negative"),
        ("$50,000 - $80,000", None),
        ("$121,500/yr - $199,500/yr", None),
        ("€40k – €60k", None),
        ("50k-80k", None),
    ],
)
def test_negative_salaries_are_not_sign_flipped(raw, problem):
    assert salary_problem(raw, parse_salary(raw)) == problem


def test_amounts_beyond_any_salary_are_dropped():
    assert salary_problem(None, Salary(1e15, 1e15, "USD", "year")) == "implausible"
    assert salary_problem(None, Salary(5e6, 9e6, "USD", "hour")) == "implausible"
    assert salary_problem(None, Salary(9e8, 1.2e9, "IDR", "year")) is None  # ~60k USD
    assert salary_problem(None, Salary(150_000, 180_000, "USD", "year")) is None


def test_the_posting_keeps_raw_twins_and_nulls_invalid_values():
    raw = RawPosting(
        source="remotewlb", url="https://remotewlb.com/job/x-1", source_id="1", title="Engineer",
        apply_url="javascript:void(0)", salary_raw="-$90,000", date_posted="2025-13-45",
        valid_through="20991231",
        base_salary_raw={"currency": "USD", "value": {"value": 1e15, "unitText": "YEAR"}},
    )  # fmt: skip
    posting = normalise_posting(raw)
    assert posting.apply_url is None and posting.salary_min is None and posting.date_posted is None
    assert posting.valid_through == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert posting.raw["date_posted"] == "2025-13-45" and posting.raw["apply_url"] == "javascript:void(0)"
    assert sorted(invalid_values(raw, posting)) == [
        ("apply_url", "not_http"),
        ("date_posted", "unreadable"),
        ("salary", "negative"),
    ]
    relative = normalise_posting(RawPosting(source="s", url="https://b.com/job/1", source_id="1", title="T",
                                            apply_url="/apply/1"))  # fmt: skip
    assert relative.apply_url == "https://b.com/apply/1"


def test_migration_turns_date_strings_into_timestamps(database_url):
    """Rows written by 0005 (strings, some invalid) come out of 0006 as real moments or NULL."""
    config = alembic_config(database_url)
    command.upgrade(config, "0005")
    engine = create_engine(database_url)
    strings = [
        ("a", "2024-05-01", "2024-05-31"),
        ("b", "2024-06-02T10:00:00Z", "2025-13-45"),
        ("c", "0001-01-01", None),
    ]
    with engine.begin() as connection:
        for key, posted, through in strings:
            connection.execute(
                text(
                    "INSERT INTO postings (source, source_id, source_key, url, title, description_text, workplace, "
                    "worldwide, countries, regions, first_seen_at, last_seen_at, content_hash, missed_runs, "
                    "date_posted, valid_through) VALUES ('s', :k, :k, :u, 'Python developer', "
                    "'writes python', 'remote', false, '[]', '[]', :now, :now, 'h', 0, :posted, :through)"
                ),
                {"k": key, "u": f"https://x/{key}", "now": datetime(2024, 6, 1), "posted": posted, "through": through},
            )
    engine.dispose()
    command.upgrade(config, "head")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = {
            row.source_key: row
            for row in connection.execute(text("SELECT source_key, date_posted, valid_through FROM postings"))
        }
        expired = connection.execute(text("SELECT source_key FROM postings WHERE valid_through < :t"),
                                     {"t": datetime(2024, 5, 31, 12)}).all()  # fmt: skip
        if engine.dialect.name == "sqlite":  # the full-text triggers of 0005 survived the change
            found = connection.execute(text("SELECT rowid FROM postings_fts WHERE postings_fts MATCH 'python'")).all()
            assert len(found) == 3
    engine.dispose()

    def moment(value):
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)

    assert moment(rows["a"].date_posted) == datetime(2024, 5, 1)
    assert moment(rows["a"].valid_through) == datetime(2024, 5, 31, 23, 59, 59)
    assert moment(rows["b"].date_posted) == datetime(2024, 6, 2, 10)
    assert rows["b"].valid_through is None and rows["c"].date_posted is None
    assert expired == []  # 2024-05-31 is still open at noon that day
    command.downgrade(config, "0005")


def test_raw_as_dict_is_dataclasses_asdict():
    """RawPosting.as_dict takes plain fields as they are and leaves anything else to asdict's copy."""
    import dataclasses

    from aggregator.items import StatedSalary

    plain = RawPosting(source="s", url="https://x.example/job/1", title="Engineer", etag=None)
    structured = dataclasses.replace(plain, stated_salary=StatedSalary(1.0, 2.0), job_location_raw=[{"a": [1]}])
    for raw in (plain, structured):
        got = raw.as_dict()
        assert got == dataclasses.asdict(raw) and list(got) == list(dataclasses.asdict(raw))
    got = structured.as_dict()
    assert got["stated_salary"] == {"min": 1.0, "max": 2.0, "currency": None, "period": None}
    assert got["job_location_raw"] is not structured.job_location_raw  # a copy, as asdict gives
