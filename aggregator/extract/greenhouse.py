"""Greenhouse job-board API records → RawPosting.

``GET https://boards-api.greenhouse.io/v1/boards/<token>/jobs?content=true`` answers
``{"jobs": [...], "meta": {"total": N}}`` with the whole board. A job has ``id``, ``absolute_url``,
``title``, ``company_name``, ``location.name`` (free text), ``first_published`` and ``updated_at``
(ISO with offset), ``application_deadline``, ``metadata[]{name, value}``, ``departments[]``,
``offices[]`` and ``content``: the description as HTML-entity-escaped HTML.

There is no salary field. Boards that publish pay do it with Greenhouse's pay-transparency block
inside ``content`` (``<div class="pay-range"><span>$108,400</span><span class="divider">&mdash;</span>
<span>$129,600 USD</span></div>``); its text is the raw salary.
"""

from __future__ import annotations

import html
import re
from typing import Any

from parsel import Selector

from aggregator.extract.context import Context
from aggregator.extract.page import first, squash
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "greenhouse"
_ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[a-zA-Z]")
_EMPLOYMENT_KEYS = re.compile(r"(?i)employment|time type|job type|commitment")


def _text(value: Any) -> str | None:
    return squash(value) if isinstance(value, str) else None


def unescape_content(content: Any) -> str | None:
    """``&lt;div&gt;…`` → ``<div>…``: unescaped once, and only when it is escaped."""
    if not isinstance(content, str) or not content.strip():
        return None
    if _ESCAPED_TAG.search(content) and not re.search(r"<\s*/?\s*[a-zA-Z]", content):
        content = html.unescape(content)
    return content.strip()


def pay_range(description: str | None) -> str | None:
    """The text of the first pay-transparency range in the description, e.g. ``$108,400 — $129,600 USD``."""
    if not description or "pay-range" not in description:
        return None
    node = Selector(text=description).css(".pay-range")
    if not node:
        return None
    return squash(" ".join(node[0].xpath(".//text()").getall()))


def _metadata_value(record: dict[str, Any], pattern: re.Pattern[str]) -> Any:
    for entry in record.get("metadata") or []:
        if isinstance(entry, dict) and pattern.search(str(entry.get("name") or "")) and entry.get("value"):
            return entry["value"]
    return None


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    board, company = context.board, context.company
    description = unescape_content(record.get("content"))
    location = record.get("location")
    job_id = record.get("id")
    return RawPosting(
        source=SOURCE,
        url=first(
            _text(record.get("absolute_url")),
            f"https://job-boards.greenhouse.io/{board}/jobs/{job_id}" if job_id else None,
        ),
        source_id=str(job_id) if job_id is not None else None,
        # The hosted page is also the application form.
        apply_url=_text(record.get("absolute_url")),
        title=_text(record.get("title")),
        company=real_company(_text(record.get("company_name")), company, board),
        salary_raw=pay_range(description),
        location_raw=_text(location.get("name")) if isinstance(location, dict) else None,
        description_html=description,
        date_posted=first(_text(record.get("first_published")), _text(record.get("updated_at"))),
        valid_through=_text(record.get("application_deadline")),
        employment_type_raw=_metadata_value(record, _EMPLOYMENT_KEYS),
    )
