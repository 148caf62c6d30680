"""Himalayas API records (``GET https://himalayas.app/jobs/api``, key ``jobs``) → RawPosting.

There is no id field: ``guid`` (the posting's himalayas.app URL) is the board's unique id.
``minSalary``/``maxSalary`` are numbers or null with ``currency`` and ``salaryPeriod``
("annual", "hourly", …); ``pubDate``/``expiryDate`` are Unix timestamps.

Location: ``location_raw`` is the countries of ``locationRestrictions`` joined with ", ", followed
by the raw ``timezoneRestrictions`` as UTC offsets in brackets, e.g.
``"United States (UTC-10, UTC-9, UTC+14)"``; a posting with neither has no location_raw (the
board shows no restriction). The offsets are kept as found, one by one, not interpreted.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import epoch_text, joined, markup, number, structured_salary, text
from aggregator.extract.context import Context
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "himalayas"


def utc_offset(value: Any) -> str | None:
    """``-10`` → ``"UTC-10"``, ``5.5`` → ``"UTC+5:30"``, ``0`` → ``"UTC+0"``; text passes through."""
    hours = number(value)
    if hours is None:
        return text(value)
    sign = "-" if hours < 0 else "+"
    whole, minutes = divmod(round(abs(hours) * 60), 60)
    return f"UTC{sign}{whole}" + (f":{minutes:02d}" if minutes else "")


def location_text(countries: Any, timezones: Any) -> str | None:
    places = joined(countries)
    offsets = [utc_offset(zone) for zone in timezones] if isinstance(timezones, list) else []
    zones = ", ".join(zone for zone in offsets if zone)
    if places and zones:
        return f"{places} ({zones})"
    return places or (f"({zones})" if zones else None)


def extract(record: Any, context: Context) -> RawPosting | None:
    if not isinstance(record, dict):
        return None
    guid = text(record.get("guid")) or text(record.get("applicationLink"))
    if guid is None:
        return None
    stated_salary, salary_raw = structured_salary(
        record.get("minSalary"), record.get("maxSalary"), record.get("currency"), record.get("salaryPeriod")
    )
    return RawPosting(
        source=SOURCE,
        url=guid if guid.startswith("http") else text(record.get("applicationLink")),
        source_id=guid,
        apply_url=text(record.get("applicationLink")),
        title=text(record.get("title")),
        company=real_company(text(record.get("companyName")), text(record.get("companySlug"))),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw=location_text(record.get("locationRestrictions"), record.get("timezoneRestrictions")),
        description_html=markup(record.get("description")),
        date_posted=epoch_text(record.get("pubDate")),
        valid_through=epoch_text(record.get("expiryDate")),
        employment_type_raw=text(record.get("employmentType")),
    )
