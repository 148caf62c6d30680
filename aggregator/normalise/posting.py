"""RawPosting → NormalisedPosting: every normaliser applied, the raw item kept beside them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from aggregator.items import NormalisedPosting, RawPosting
from aggregator.normalise.dates import end_moment, start_moment
from aggregator.normalise.defaults import apply_item_defaults
from aggregator.normalise.employment import employment_type, seniority
from aggregator.normalise.location import location_from_jsonld, parse_location
from aggregator.normalise.plausible import salary_problem
from aggregator.normalise.salary import annualise, read_salary
from aggregator.normalise.text import clean_company, clean_text, html_to_text, sanitise_html
from aggregator.normalise.timezone import extract_window
from aggregator.normalise.urls import web_url


def _as_found(value: str | None) -> str | None:
    """Raw columns keep the string exactly as found; only a blank one becomes NULL."""
    return value if value and value.strip() else None


# A board's structured workplace field (Lever's workplaceType, SmartRecruiters' remote/hybrid flags,
# schema.org jobLocationType), squashed to letters → our workplace.
_STATED_WORKPLACES = {"remote": "remote", "telecommute": "remote", "fullyremote": "remote", "hybrid": "hybrid",
                      "onsite": "onsite", "office": "onsite", "inoffice": "onsite"}  # fmt: skip


def stated_workplace(value: Any) -> str | None:
    """``"Remote"``, ``"TELECOMMUTE"``, ``"on-site"`` … → remote/hybrid/onsite; None when unknown."""
    values = value if isinstance(value, (list, tuple)) else [value]
    found = {_STATED_WORKPLACES.get("".join(filter(str.isalpha, str(v).lower()))) for v in values if v}
    for workplace in ("hybrid", "remote", "onsite"):
        if workplace in found:
            return workplace
    return None


def normalise_posting(raw: RawPosting, defaults: Mapping[str, Any] | None = None) -> NormalisedPosting:
    """``defaults``: the board's ``item_defaults``, filled in where the posting is silent."""
    title = clean_text(raw.title)
    description_html = sanitise_html(raw.description_html)
    # Structured numbers (an API's min/max/currency/period, schema.org baseSalary) go straight into
    # the typed fields; the string is read only when there are none.
    salary = read_salary(raw.stated_salary, raw.base_salary_raw, raw.salary_raw)
    if salary_problem(raw.salary_raw, salary):  # negative or beyond any real salary: not a figure
        salary = None
    # The board's own location string decides; structured data only speaks when there is none
    # (some boards stamp jobLocationType TELECOMMUTE on every posting, true or not).
    location = None
    if clean_text(raw.location_raw) is None:
        location = location_from_jsonld(raw.job_location_type_raw, raw.applicant_location_raw, raw.job_location_raw)
    location = location or parse_location(raw.location_raw)
    if location.workplace == "unknown" and stated_workplace(raw.job_location_type_raw):
        # The text names places only; the board's own flag says how the job is done.
        location = dataclasses.replace(location, workplace=stated_workplace(raw.job_location_type_raw))
    annual_min, annual_max = annualise(salary) if salary else (None, None)
    description_text = html_to_text(description_html, sanitised=True)
    window = extract_window(raw.location_raw, title, description_text)
    posting = NormalisedPosting(
        source=raw.source,
        source_id=clean_text(raw.source_id),
        source_key=clean_text(raw.source_key) or clean_text(raw.source_id),
        url=raw.url,
        # Only a web page a visitor can open; a relative link is resolved against the posting page.
        apply_url=web_url(clean_text(raw.apply_url), raw.url)[0],
        title=title,
        company=clean_company(raw.company),
        location_raw=_as_found(raw.location_raw),
        salary_raw=_as_found(raw.salary_raw),
        salary_min=salary.min if salary else None,
        salary_max=salary.max if salary else None,
        salary_currency=salary.currency if salary else None,
        salary_period=salary.period if salary else None,
        salary_annual_min=annual_min,
        salary_annual_max=annual_max,
        workplace=location.workplace,
        worldwide=location.worldwide,
        countries=list(location.countries),
        regions=list(location.regions),
        tz_min=window.tz_min if window else None,
        tz_max=window.tz_max if window else None,
        tz_raw=window.evidence if window else None,
        employment_type=employment_type(raw.employment_type_raw, title),
        seniority=seniority(title),
        description_html=description_html,
        description_text=description_text,
        date_posted=start_moment(raw.date_posted),
        # A date-only validThrough is open all of that day.
        valid_through=end_moment(raw.valid_through),
        listed_url=raw.listed_url or raw.url,
        sitemap_lastmod=raw.sitemap_lastmod,
        etag=raw.etag,
        last_modified=raw.last_modified,
        raw=raw.as_dict(),
    )
    return apply_item_defaults(posting, defaults)
