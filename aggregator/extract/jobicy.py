"""Jobicy API v2 records (``GET https://jobicy.com/api/v2/remote-jobs``, key ``jobs``) → RawPosting.

Titles, company names and industries come HTML-escaped (``Data Science &amp; Analytics``);
``jobGeo`` joins places with a comma and two spaces (``"LATAM,  Canada,  USA"``). The salary keys
(``salaryMin``, ``salaryMax``, ``salaryCurrency``, ``salaryPeriod``; ``annualSalaryMin``/``Max`` in
older responses) are left out entirely when there is no salary. Jobicy asks that application
buttons lead to the original job URL, so that URL is both ``url`` and ``apply_url``.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import markup, structured_salary, text, unescaped
from aggregator.extract.context import Context
from aggregator.items import RawPosting

SOURCE = "jobicy"


def salary_fields(record: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """(min, max, currency, period) as the API gives them."""
    if record.get("salaryMin") is not None or record.get("salaryMax") is not None:
        low, high = record.get("salaryMin"), record.get("salaryMax")
        return low, high, record.get("salaryCurrency"), record.get("salaryPeriod")
    # API versions before 2.2 named the fields for yearly amounts.
    return record.get("annualSalaryMin"), record.get("annualSalaryMax"), record.get("salaryCurrency"), "yearly"


def extract(record: Any, context: Context) -> RawPosting | None:
    if not isinstance(record, dict) or text(record.get("id")) is None:
        return None
    url = text(record.get("url"))
    stated_salary, salary_raw = structured_salary(*salary_fields(record))
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=text(record.get("id")),
        apply_url=url,
        title=unescaped(record.get("jobTitle")),
        company=unescaped(record.get("companyName")),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw=unescaped(record.get("jobGeo")),
        description_html=markup(record.get("jobDescription")) or markup(record.get("jobExcerpt")),
        date_posted=text(record.get("pubDate")),
        employment_type_raw=record.get("jobType") or None,
    )
