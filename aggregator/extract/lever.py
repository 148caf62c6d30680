"""Lever postings API records → RawPosting.

``GET https://api.lever.co/v0/postings/<company>?mode=json`` answers a bare JSON array of postings:
``id`` (UUID), ``text`` (the title), ``categories{commitment, department, location, team,
allLocations}``, ``country`` (ISO-2), ``workplaceType`` (onsite|hybrid|remote), ``createdAt`` (epoch
milliseconds), ``hostedUrl``, ``applyUrl``, HTML/plain pairs (``opening``, ``descriptionBody``,
``description``, ``additional``), ``lists[]{text, content}`` and an optional ``salaryRange``. The
API has no company name: the board token (or a configured name) stands for it.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import pay_period, structured_salary
from aggregator.extract.context import Context
from aggregator.extract.page import first, squash
from aggregator.items import RawPosting, StatedSalary
from aggregator.normalise.company import real_company

SOURCE = "lever"


def _text(value: Any) -> str | None:
    return squash(value) if isinstance(value, str) else None


def lever_salary(salary_range: Any) -> tuple[StatedSalary | None, str | None]:
    """``salaryRange`` → the typed salary and its readable twin (``"USD 120000-150000 per year"``)."""
    if not isinstance(salary_range, dict):
        return None, None
    return structured_salary(
        salary_range.get("min"),
        salary_range.get("max"),
        salary_range.get("currency"),
        pay_period(salary_range.get("interval")),
        say_bounds=False,
    )


def description_html(record: dict[str, Any]) -> str | None:
    """The whole posting as the hosted page shows it: description, lists, pay notes, closing text."""
    parts = [first(record.get("description"), "".join(filter(None, (record.get("opening"),
                                                                       record.get("descriptionBody")))))]  # fmt: skip
    for block in record.get("lists") or []:
        if isinstance(block, dict) and (block.get("content") or "").strip():
            heading = _text(block.get("text"))
            parts.append((f"<h3>{heading}</h3>" if heading else "") + f"<ul>{block['content']}</ul>")
    parts += [record.get("salaryDescription"), record.get("additional")]
    html = "\n".join(part for part in parts if part and part.strip())
    return html or None


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    board, company = context.board, context.company
    categories = record.get("categories") if isinstance(record.get("categories"), dict) else {}
    country = _text(record.get("country"))
    job_id = record.get("id")
    locations = [_text(location) for location in categories.get("allLocations") or []]
    created = record.get("createdAt")
    stated_salary, salary_raw = lever_salary(record.get("salaryRange"))
    return RawPosting(
        source=SOURCE,
        url=first(_text(record.get("hostedUrl")), f"https://jobs.lever.co/{board}/{job_id}" if job_id else None),
        source_id=str(job_id) if job_id is not None else None,
        apply_url=_text(record.get("applyUrl")),
        title=_text(record.get("text")),
        company=real_company(company, board),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw=first(_text(categories.get("location")), "; ".join(filter(None, locations))),
        description_html=description_html(record),
        date_posted=str(created) if created not in (None, "") else None,
        employment_type_raw=_text(categories.get("commitment")),
        job_location_type_raw=_text(record.get("workplaceType")),
        job_location_raw={"@type": "Place", "address": {"addressCountry": country}} if country else None,
    )
