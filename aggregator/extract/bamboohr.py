"""BambooHR careers list → RawPosting.

``GET https://<company>.bamboohr.com/careers/list`` answers ``{meta: {totalCount}, result[]}`` with
the whole board. A result has ``id`` (a string), ``jobOpeningName`` (the title, often with a
trailing space), ``departmentLabel``, ``employmentStatusLabel`` ("Full Time", "Internship"),
``location{city, state}``, ``atsLocation{country, state, province, city}``, ``isRemote`` (often
null) and ``locationType`` ("0" on-site, "1" remote, "2" hybrid). The public page is
``https://<company>.bamboohr.com/careers/<id>``. The list names no company and has no date,
salary or description: ``GET …/careers/<id>/detail`` answers ``{result: {jobOpening:
{jobOpeningShareUrl, description (HTML), compensation (text), datePosted, location{city, state,
addressCountry}, locationType, …}}}``, merged over the list entry when it could be fetched.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import markup, text
from aggregator.extract.context import Context
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
        parts = [text(entry.get(name)) for name in ("city", "state", "province", "country", "addressCountry")]
        place = ", ".join(part for part in parts if part)
        if place and place not in places:
            places.append(place)
    return "; ".join(places) or None


def workplace(record: dict[str, Any]) -> str | None:
    found = LOCATION_TYPES.get(text(record.get("locationType")) or "")
    if found:
        return found
    return "remote" if record.get("isRemote") is True else None


def detail_opening(detail: Any) -> dict[str, Any]:
    """The ``jobOpening`` of a detail response ({} when the body is not one)."""
    result = detail.get("result") if isinstance(detail, dict) else None
    opening = result.get("jobOpening") if isinstance(result, dict) else None
    return opening if isinstance(opening, dict) else {}


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    """A list entry, with its detail when it could be fetched (the detail wins where both speak)."""
    board, company, detail = context.board, context.company, context.detail
    merged = {**record, **{key: value for key, value in detail_opening(detail).items() if value not in (None, "")}}
    job_id = text(record.get("id")) or text(merged.get("id"))
    page = f"https://{board}.bamboohr.com/careers/{job_id}" if job_id else None
    url = text(merged.get("jobOpeningShareUrl")) or page
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=job_id,
        apply_url=url,
        title=text(merged.get("jobOpeningName")),
        company=real_company(company, board),
        salary_raw=text(merged.get("compensation")),
        location_raw=location_text(merged),
        description_html=markup(merged.get("description")),
        date_posted=text(merged.get("datePosted")),
        employment_type_raw=text(merged.get("employmentStatusLabel")),
        job_location_type_raw=workplace(merged),
    )
