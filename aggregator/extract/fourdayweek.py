"""4dayweek.io jobs API records → RawPosting.

``GET https://4dayweek.io/api/jobs`` answers ``{"jobs": [...]}``. A job has ``id`` (UUID), ``title``,
``slug`` (the page is ``https://4dayweek.io/remote-job/<slug>``), ``company_name`` and
``company{name, slug}``, ``work_arrangement`` (remote/hybrid/onsite, also per location),
``locations[]{city?, country, work_arrangement, is_primary?}``, ``posted`` (epoch s), ``inserted``
(ISO), ``schedule_type``, ``salary`` (display text "$286k - $392k"), ``salary_lower`` /
``salary_upper`` **in cents**, ``salary_currency``, ``salary_period``, ``category``, ``level`` and
``is_expired``. There is no description in the list (the detail endpoint was not captured).
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import epoch_text, number, structured_salary, text
from aggregator.extract.context import Context
from aggregator.extract.page import first
from aggregator.items import RawPosting, StatedSalary
from aggregator.normalise.company import real_company

SOURCE = "fourdayweek"
JOB_PAGE = "https://4dayweek.io/remote-job/{slug}"


def cents_salary(record: dict[str, Any]) -> tuple[StatedSalary | None, str | None]:
    """``salary_lower``/``salary_upper`` are cents: 28620000 → 286200. Without them, no numbers and
    the display text as the raw string."""
    lower, upper = number(record.get("salary_lower")), number(record.get("salary_upper"))
    stated, built = structured_salary(
        lower / 100 if lower else None,
        upper / 100 if upper else None,
        record.get("salary_currency"),
        record.get("salary_period"),
    )
    return stated, first(built, text(record.get("salary")))


def _place(location: dict[str, Any]) -> str | None:
    parts = [text(location.get("city")), text(location.get("country"))]
    return ", ".join(part for part in parts if part) or None


def location_text(record: dict[str, Any]) -> str | None:
    """The places of the job's own arrangement ("United States" for a remote job that also lists
    onsite offices), primary first; every place when none matches."""
    locations = [entry for entry in record.get("locations") or [] if isinstance(entry, dict)]
    arrangement = text(record.get("work_arrangement"))
    chosen = [entry for entry in locations if text(entry.get("work_arrangement")) == arrangement] or locations
    chosen.sort(key=lambda entry: not entry.get("is_primary"))
    places: list[str] = []
    for entry in chosen:
        place = _place(entry)
        if place and place not in places:
            places.append(place)
    return "; ".join(places) or None


def extract(record: dict[str, Any], context: Context) -> RawPosting | None:
    if not isinstance(record, dict):
        return None
    company = record.get("company") if isinstance(record.get("company"), dict) else {}
    slug = text(record.get("slug"))
    url = JOB_PAGE.format(slug=slug) if slug else None
    stated_salary, salary_raw = cents_salary(record)
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=text(record.get("id")) or slug,
        apply_url=url,
        title=text(record.get("title")),
        company=real_company(record.get("company_name"), company.get("name"), company.get("slug")),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw=location_text(record),
        date_posted=first(epoch_text(record.get("posted")), text(record.get("inserted"))),
        job_location_type_raw=text(record.get("work_arrangement")),
    )
