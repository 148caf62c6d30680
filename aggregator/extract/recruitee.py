"""Recruitee careers-site API offers → RawPosting.

``GET https://<company>.recruitee.com/api/offers/`` answers ``{offers[]}`` with the whole board.
An offer has ``id`` (int), ``slug``, ``title``, ``company_name``, ``careers_url`` (the public page,
possibly on the company's own domain: build links from it, never from the slug),
``careers_apply_url``, ``location`` (free text, "Remote job" for remote), ``city``, ``country``,
``locations[]``, the booleans ``remote`` / ``hybrid`` / ``on_site``, ``employment_type_code``
("fulltime_permanent", "contract"), ``salary{min, max, period, currency}`` (strings or null),
``description`` and ``requirements`` (HTML), and ``published_at`` / ``created_at`` as
``"YYYY-MM-DD HH:MM:SS UTC"``.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import markup, structured_salary, text
from aggregator.extract.context import Context
from aggregator.extract.page import first
from aggregator.items import RawPosting, StatedSalary
from aggregator.normalise.company import real_company

SOURCE = "recruitee"


def offer_salary(salary: Any) -> tuple[StatedSalary | None, str | None]:
    """``salary`` → the typed salary and its readable twin."""
    if not isinstance(salary, dict):
        return None, None
    return structured_salary(salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("period"))


def workplace(record: dict[str, Any]) -> str | None:
    if record.get("hybrid") is True:
        return "hybrid"
    if record.get("remote") is True:
        return "remote"
    return "onsite" if record.get("on_site") is True else None


def description_html(record: dict[str, Any]) -> str | None:
    parts = [markup(record.get("description")), markup(record.get("requirements"))]
    return "\n".join(part for part in parts if part) or None


def extract(record: dict[str, Any], context: Context) -> RawPosting | None:
    board, company = context.board, context.company
    if text(record.get("status")) not in (None, "published"):
        return None  # drafts and closed offers are not postings
    code = text(record.get("employment_type_code"))
    slug = text(record.get("slug"))
    stated_salary, salary_raw = offer_salary(record.get("salary"))
    return RawPosting(
        source=SOURCE,
        url=first(text(record.get("careers_url")), f"https://{board}.recruitee.com/o/{slug}" if slug else None),
        source_id=text(record.get("id")),
        apply_url=text(record.get("careers_apply_url")),
        title=text(record.get("title")),
        company=real_company(record.get("company_name"), company, board),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw=first(
            text(record.get("location")),
            ", ".join(p for p in (text(record.get("city")), text(record.get("country"))) if p),
        ),  # fmt: skip
        description_html=description_html(record),
        date_posted=first(text(record.get("published_at")), text(record.get("created_at"))),
        valid_through=text(record.get("close_at")),
        employment_type_raw=code.replace("_", " ") if code else None,
        job_location_type_raw=workplace(record),
    )
