"""Arbeitnow job-board API records (``GET https://www.arbeitnow.com/api/job-board-api``) → RawPosting.

Records are in ``data``; ``links.next`` names the next page. ``slug`` is the board's id (it usually
ends in a number, which is not unique on its own). ``location`` is a city and ``remote`` a flag:
``location_raw`` is the city with ``" (remote)"`` appended when the flag is set, so the remote
eligibility survives as text. ``created_at`` is Unix seconds; ``job_types`` is mixed-language free
text, kept as found. There is no salary field and no separate apply link.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import epoch_text, markup, text
from aggregator.extract.context import Context
from aggregator.items import RawPosting

SOURCE = "arbeitnow"


def location_text(location: Any, remote: Any) -> str | None:
    place = text(location)
    if remote is True:
        return f"{place} (remote)" if place else "Remote"
    return place


def extract(record: Any, context: Context) -> RawPosting | None:
    if not isinstance(record, dict):
        return None
    url = text(record.get("url"))
    slug = text(record.get("slug"))
    if url is None and slug is None:
        return None
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=slug or url,
        title=text(record.get("title")),
        company=text(record.get("company_name")),
        location_raw=location_text(record.get("location"), record.get("remote")),
        description_html=markup(record.get("description")),
        date_posted=epoch_text(record.get("created_at")),
        employment_type_raw=record.get("job_types") or None,
    )
