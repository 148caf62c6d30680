"""SmartRecruiters Posting API → RawPosting.

List: ``GET https://api.smartrecruiters.com/v1/companies/<id>/postings?limit=100&offset=N`` answers
``{offset, limit, totalFound, content[]}``; an entry has ``id`` (numeric string), ``name`` (the
title), ``company{identifier, name}``, ``releasedDate``, ``location{city, region, country,
remote, hybrid, fullLocation}`` (``fullLocation`` can hold an empty part: "Warsaw, , Poland"),
``typeOfEmployment{label}``, ``experienceLevel``, ``department`` and ``ref`` (the detail's API URL)
but no description. Detail: ``GET …/postings/<id>`` adds ``postingUrl``, ``applyUrl`` and
``jobAd.sections.{companyDescription, jobDescription, qualifications, additionalInformation}``
(``{title, text}`` HTML). There is no structured salary.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from aggregator.extract.api_fields import text
from aggregator.extract.context import Context
from aggregator.extract.page import first
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "smartrecruiters"
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "đ": "d"})
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def _label(value: Any) -> str | None:
    return text(value.get("label")) if isinstance(value, dict) else text(value)


def location_text(location: Any) -> str | None:
    """``fullLocation`` without empty parts, else city, region, country."""
    if not isinstance(location, dict):
        return None
    full = text(location.get("fullLocation"))
    parts = full.split(",") if full else [location.get(key) or "" for key in ("city", "region", "country")]
    parts = [part.strip() for part in parts if str(part).strip()]
    return ", ".join(parts) or None


def workplace(location: Any) -> str | None:
    if not isinstance(location, dict):
        return None
    if location.get("hybrid") is True:
        return "hybrid"
    if location.get("remote") is True:
        return "remote"
    return "onsite" if location.get("remote") is False else None


def job_ad_html(detail: dict[str, Any] | None) -> str | None:
    sections = ((detail or {}).get("jobAd") or {}).get("sections") or {}
    parts = []
    for name in SECTIONS:
        section = sections.get(name)
        if isinstance(section, dict) and text(section.get("text")):
            title = text(section.get("title"))
            heading = f"<h3>{html.escape(title)}</h3>" if title else ""
            parts.append(f"{heading}{section['text'].strip()}")
    return "\n".join(parts) or None


def _slug(title: str | None) -> str:
    """SmartRecruiters' page slug: accents dropped ("Księgowość" → "ksiegowosc"), non-alphanumerics → "-"."""
    folded = unicodedata.normalize("NFKD", (title or "").translate(_LETTERS).lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    """A list entry, with its detail when it could be fetched (the detail wins where both speak)."""
    board, company, detail = context.board, context.company, context.detail
    merged = {**record, **(detail or {})}
    owner = merged.get("company") if isinstance(merged.get("company"), dict) else {}
    posting_id = text(merged.get("id"))
    identifier = text(owner.get("identifier")) or board
    # Without the detail, the public page is built the way SmartRecruiters builds it.
    page = f"https://jobs.smartrecruiters.com/{identifier}/{posting_id}-{_slug(text(merged.get('name')))}"
    location = merged.get("location")
    return RawPosting(
        source=SOURCE,
        url=first(text(merged.get("postingUrl")), page if posting_id else None),
        source_id=posting_id,
        apply_url=text(merged.get("applyUrl")),
        title=text(merged.get("name")),
        company=real_company(owner.get("name"), company, owner.get("identifier"), board),
        location_raw=location_text(location),
        description_html=job_ad_html(detail),
        date_posted=text(merged.get("releasedDate")),
        employment_type_raw=_label(merged.get("typeOfEmployment")),
        job_location_type_raw=workplace(location),
    )
