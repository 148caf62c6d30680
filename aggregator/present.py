"""How a job found by aggregator.query is shown: one-line texts, the API's JSON, CSV and NDJSON rows,
and schema.org JobPosting JSON-LD. Shared by the CLI and the web front door so that both say the same."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

# The API's and the exports' fields, named like the database columns (jobs and postings).
API_FIELDS = (
    "id", "title", "company", "countries", "regions", "workplace", "worldwide", "tz_min", "tz_max",
    "salary_min", "salary_max", "salary_currency", "salary_period", "salary_annual_min", "salary_annual_max",
    "seniority", "employment_type", "first_seen_at", "last_seen_at", "status", "boards", "url",
)  # fmt: skip

_PERIODS = {"year": "/yr", "month": "/mo", "week": "/wk", "day": "/day", "hour": "/hr"}
# schema.org's unitText for baseSalary
_UNIT_TEXT = {"year": "YEAR", "month": "MONTH", "week": "WEEK", "day": "DAY", "hour": "HOUR"}
_EMPLOYMENT_TYPE = {"full_time": "FULL_TIME", "part_time": "PART_TIME", "contract": "CONTRACTOR",
                    "internship": "INTERN", "temporary": "TEMPORARY"}  # fmt: skip


def _amount(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.1f}".removesuffix(".0") + "k"
    return f"{value:.2f}".removesuffix(".00")


def salary_text(job: dict) -> str:
    """``EUR 90k–110k/yr``, or "" when the job states no pay."""
    amounts = [value for value in (job.get("salary_min"), job.get("salary_max")) if value is not None]
    if not amounts:
        return ""
    span = "–".join(dict.fromkeys(_amount(value) for value in amounts))
    return f"{job.get('salary_currency') or ''} {span}{_PERIODS.get(job.get('salary_period') or '', '')}".strip()


def _offset(hours: float) -> str:
    sign = "+" if hours >= 0 else "-"
    whole, minutes = divmod(round(abs(hours) * 60), 60)
    return f"UTC{sign}{whole}" + (f":{minutes:02d}" if minutes else "")


def timezone_text(job: dict) -> str:
    """``UTC-5 to UTC+1``, or "" when the job states no window."""
    low, high = job.get("tz_min"), job.get("tz_max")
    if low is None or high is None:
        return ""
    return _offset(low) if low == high else f"{_offset(low)} to {_offset(high)}"


def where_text(job: dict, most: int = 4) -> str:
    """remote · countries (or worldwide) · time-zone window."""
    countries = job.get("countries") or []
    place = (
        "worldwide" if job.get("worldwide") else ", ".join(countries[:most]) + ("…" if len(countries) > most else "")
    )
    workplace = job.get("workplace")
    parts = (workplace if workplace and workplace != "unknown" else "", place, timezone_text(job))
    return " · ".join(part for part in parts if part)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def api_job(job: dict) -> dict[str, Any]:
    """The API's object of a job (JSON-safe: times as ISO 8601 in UTC)."""
    return {name: _plain(job.get(name)) for name in API_FIELDS}


def ndjson_lines(jobs: Iterable[dict]) -> Iterator[str]:
    for job in jobs:
        yield json.dumps(api_job(job), ensure_ascii=False) + "\n"


def csv_lines(jobs: Iterable[dict]) -> Iterator[str]:
    """CSV text, a header and then a line per job; lists are joined with spaces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flushed() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(API_FIELDS)
    yield flushed()
    for job in jobs:
        row = api_job(job)
        writer.writerow([" ".join(v) if isinstance(v, list) else "" if v is None else v for v in row.values()])
        yield flushed()


def job_posting(job: dict, description: str | None = None) -> dict[str, Any]:
    """schema.org JobPosting of a job (the fields we know; nothing is invented)."""
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": job.get("title"),
        "datePosted": _plain(job.get("first_seen_at")),
        "url": job.get("url"),
        "identifier": {"@type": "PropertyValue", "name": "aggregator", "value": job.get("id")},
    }
    if job.get("company"):
        ld["hiringOrganization"] = {"@type": "Organization", "name": job["company"]}
    if description:
        ld["description"] = description
    if job.get("workplace") == "remote":
        ld["jobLocationType"] = "TELECOMMUTE"
    if job.get("countries"):
        ld["applicantLocationRequirements"] = [{"@type": "Country", "name": code} for code in job["countries"]]
    if job.get("employment_type") in _EMPLOYMENT_TYPE:
        ld["employmentType"] = _EMPLOYMENT_TYPE[job["employment_type"]]
    if job.get("salary_currency") and (job.get("salary_min") is not None or job.get("salary_max") is not None):
        value = {"@type": "QuantitativeValue", "unitText": _UNIT_TEXT.get(job.get("salary_period") or "", "YEAR")}
        if job.get("salary_min") is not None:
            value["minValue"] = job["salary_min"]
        if job.get("salary_max") is not None:
            value["maxValue"] = job["salary_max"]
        ld["baseSalary"] = {"@type": "MonetaryAmount", "currency": job["salary_currency"], "value": value}
    return ld


def jsonld_lines(jobs: Iterable[dict]) -> Iterator[str]:
    """One JobPosting object per line (JSON Lines of JSON-LD)."""
    for job in jobs:
        yield json.dumps(job_posting(job), ensure_ascii=False) + "\n"


def cut(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"
