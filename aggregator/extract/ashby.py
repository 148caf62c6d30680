"""Ashby posting API records → RawPosting.

``GET https://api.ashbyhq.com/posting-api/job-board/<board>?includeCompensation=true`` answers
``{"jobs": [...], "apiVersion": "1"}`` with the whole board. A job has ``id`` (UUID), ``title``,
``location`` (free text), ``secondaryLocations[]``, ``address.postalAddress``, ``isRemote``,
``workplaceType`` (Remote|Hybrid|OnSite), ``isListed``, ``publishedAt`` (can be years old for
evergreen roles), ``jobUrl``, ``applyUrl``, ``descriptionHtml``, ``employmentType`` and
``compensation``: ``compensationTiers[].components[]`` / ``summaryComponents[]`` of
``{compensationType: "Salary"|"Equity"…, interval: "1 YEAR", currencyCode, minValue, maxValue}``
plus summaries such as ``scrapeableCompensationSalarySummary`` ("$211.4K - $290.6K"). The API has
no company name: the board token (or a configured name) stands for it. Unlisted jobs are skipped.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import pay_period, structured_salary
from aggregator.extract.context import Context
from aggregator.extract.page import first, squash
from aggregator.items import RawPosting, StatedSalary
from aggregator.normalise.company import real_company

SOURCE = "ashby"


def _text(value: Any) -> str | None:
    return squash(value) if isinstance(value, str) else None


def _html(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _salary_components(compensation: Any) -> list[Any]:
    if not isinstance(compensation, dict):
        return []
    found = list(compensation.get("summaryComponents") or [])
    for tier in compensation.get("compensationTiers") or []:
        if isinstance(tier, dict):
            found += tier.get("components") or []
    return found


def compensation_salary(compensation: Any) -> tuple[StatedSalary | None, str | None]:
    """The first structured salary component as typed numbers and its readable twin; without one,
    no numbers and Ashby's own summary as the raw string."""
    for component in _salary_components(compensation):
        if not isinstance(component, dict):
            continue
        if str(component.get("compensationType") or "").lower() not in ("salary", "base salary"):
            continue
        stated, text = structured_salary(
            component.get("minValue"),
            component.get("maxValue"),
            component.get("currencyCode"),
            pay_period(component.get("interval")),
            say_bounds=False,
        )
        if stated:
            return stated, text
    if not isinstance(compensation, dict):
        return None, None
    summary = first(
        _text(compensation.get("scrapeableCompensationSalarySummary")),
        _text(compensation.get("compensationTierSummary")),
    )
    return None, summary


def _place(address: Any) -> dict | None:
    """``{"postalAddress": {...}}`` (or, in secondary locations, the address itself) → a schema.org Place."""
    if not isinstance(address, dict):
        return None
    postal = address.get("postalAddress", address)
    if not isinstance(postal, dict) or not any(postal.values()):
        return None
    return {"@type": "Place", "address": {"@type": "PostalAddress", **postal}}


def extract(record: dict[str, Any], context: Context) -> RawPosting | None:
    board, company = context.board, context.company
    if record.get("isListed") is False:
        return None
    places = [_place(record.get("address"))]
    places += [_place(extra.get("address")) for extra in record.get("secondaryLocations") or []
               if isinstance(extra, dict)]  # fmt: skip
    places = [place for place in places if place]
    workplace = _text(record.get("workplaceType")) or ("Remote" if record.get("isRemote") else None)
    job_id = record.get("id")
    stated_salary, salary_raw = compensation_salary(record.get("compensation"))
    return RawPosting(
        source=SOURCE,
        url=first(_text(record.get("jobUrl")), f"https://jobs.ashbyhq.com/{board}/{job_id}" if job_id else None),
        source_id=str(job_id) if job_id is not None else None,
        apply_url=_text(record.get("applyUrl")),
        title=_text(record.get("title")),
        company=real_company(company, board),
        salary_raw=salary_raw,
        stated_salary=stated_salary,
        location_raw=_text(record.get("location")),
        description_html=_html(record.get("descriptionHtml")),
        date_posted=_text(record.get("publishedAt")),
        employment_type_raw=_text(record.get("employmentType")),
        job_location_type_raw=workplace,
        job_location_raw=places or None,
    )
