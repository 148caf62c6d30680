"""BambooHR careers list → RawPosting.

``GET https://<company>.bamboohr.com/careers/list`` answers ``{meta: {totalCount}, result[]}`` with
the whole board. A result has ``id`` (a string), ``jobOpeningName`` (the title, often with a
trailing space), ``departmentLabel``, ``employmentStatusLabel`` ("Full Time", "Internship"),
``location{city, state}``, ``atsLocation{country, state, province, city}``, ``isRemote`` (often
null) and ``locationType`` ("0" on-site, "1" remote, "2" hybrid). The public page is
``https://<company>.bamboohr.com/careers/<id>``. The list names no company and has no dates,
salary or description (those are in ``/careers/<id>/detail``, not fetched).
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import text
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "bamboohr"
LOCATION_TYPES = {"0": "onsite", "1": "remote", "2": "hybrid"}


def location_text(record: dict[str, Any]) -> str | None:
    places = []
    for key in ("location", "atsLocation"):
        entry = record.get(key)
        if not isinstance(entry, dict):
            continue
        parts = [text(entry.get(name)) for name in ("city", "state", "province", "country")]
        place = ", ".join(part for part in parts if part)
        if place and place not in places:
            places.append(place)
    return "; ".join(places) or None


def workplace(record: dict[str, Any]) -> str | None:
    found = LOCATION_TYPES.get(text(record.get("locationType")) or "")
    if found:
        return found
    return "remote" if record.get("isRemote") is True else None


def extract_opening(record: dict[str, Any], board: str, company: str | None = None) -> RawPosting:
    job_id = text(record.get("id"))
    url = f"https://{board}.bamboohr.com/careers/{job_id}" if job_id else None
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=job_id,
        apply_url=url,
        title=text(record.get("jobOpeningName")),
        company=real_company(company, board),
        location_raw=location_text(record),
        employment_type_raw=text(record.get("employmentStatusLabel")),
        job_location_type_raw=workplace(record),
    )
