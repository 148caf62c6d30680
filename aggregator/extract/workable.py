"""Workable job boards → RawPosting: the public widget API (v1) and the job-board API (v3).

* Widget: ``GET https://apply.workable.com/api/v1/widget/accounts/<account>?details=true`` answers
  ``{name, description, jobs[]}`` with the whole board. A job has ``shortcode`` (its only id),
  ``title``, ``url`` / ``shortlink`` / ``application_url``, ``employment_type``, ``telecommuting``
  (the remote flag), ``department``, ``published_on`` / ``created_at`` (dates), ``country``,
  ``city``, ``state``, ``locations[]{country, countryCode, city, region, hidden}`` and
  ``description`` (HTML). One posting can be listed once per location (same shortcode): those
  rows are merged into one posting with every location. No salary field.
* v3: ``POST https://apply.workable.com/api/v3/accounts/<account>/jobs`` (JSON body ``{}``, then
  ``{"token": nextPage}``) answers ``{total, results[], nextPage?}``; a result has ``id``,
  ``shortcode``, ``title``, ``remote``, ``workplace`` (remote/hybrid/on_site), ``location``,
  ``locations[]``, ``published``, ``type`` and ``department[]``, but no description.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import markup, text
from aggregator.extract.context import Context
from aggregator.extract.page import first
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "workable"
# Widget employment types are words; v3 `type` is a code.
V3_TYPES = {"full": "Full-time", "part": "Part-time", "contract": "Contract", "temporary": "Temporary",
            "internship": "Internship", "other": None}  # fmt: skip


def _place(entry: dict[str, Any]) -> str | None:
    parts = [text(entry.get("city")), text(entry.get("region") or entry.get("state")), text(entry.get("country"))]
    return ", ".join(part for part in parts if part) or None


def location_text(record: dict[str, Any]) -> str | None:
    """Every visible location, "City, Region, Country", joined with "; "."""
    entries = [entry for entry in record.get("locations") or [] if isinstance(entry, dict) and not entry.get("hidden")]
    if not entries and isinstance(record.get("location"), dict):
        entries = [record["location"]]
    if not entries:
        entries = [record]  # the widget's flat country/city/state
    places: list[str] = []
    for entry in entries:
        place = _place(entry)
        if place and place not in places:
            places.append(place)
    return "; ".join(places) or None


def merge_locations(jobs: list[Any]) -> list[Any]:
    """The widget lists a posting once per location: one record per shortcode, locations merged."""
    merged: dict[str, dict[str, Any]] = {}
    result: list[Any] = []
    for job in jobs:
        code = job.get("shortcode") if isinstance(job, dict) else None
        if not code:
            result.append(job)
            continue
        if code not in merged:
            merged[code] = {**job, "locations": list(job.get("locations") or [])}
            result.append(merged[code])
            continue
        known = merged[code]["locations"]
        for entry in job.get("locations") or [{k: job.get(k) for k in ("country", "city", "state")}]:
            if entry not in known:
                known.append(entry)
    return result


def workplace(record: dict[str, Any]) -> str | None:
    found = text(record.get("workplace"))
    if found:
        return found
    remote = record.get("telecommuting", record.get("remote"))
    return "remote" if remote is True else None


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    account, company = context.board, context.company
    code = text(record.get("shortcode"))
    # v3 results carry no links: the widget's own link shapes keep one URL per posting across APIs.
    page = f"https://apply.workable.com/j/{code}" if code else None
    url = first(text(record.get("url")), text(record.get("shortlink")), page)
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=code or text(record.get("id")),
        apply_url=first(text(record.get("application_url")), f"{page}/apply" if page else None),
        title=text(record.get("title")),
        company=real_company(company, account),
        location_raw=location_text(record),
        description_html=markup(record.get("description")),
        date_posted=first(
            text(record.get("published_on")), text(record.get("published")), text(record.get("created_at"))
        ),  # fmt: skip
        employment_type_raw=first(text(record.get("employment_type")), V3_TYPES.get(text(record.get("type")) or "")),
        job_location_type_raw=workplace(record),
    )
