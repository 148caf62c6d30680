"""Remotive API records (``GET https://remotive.com/api/remote-jobs``, key ``jobs``) → RawPosting.

Salary and location are free text as the board shows them; ``publication_date`` is a naive ISO
time (UTC); ``job_type`` is snake_case or empty. The API gives no separate apply link: applying
goes through the listing, which Remotive's terms require us to link back to.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import markup, text
from aggregator.extract.context import Context
from aggregator.items import RawPosting

SOURCE = "remotive"


def extract(record: Any, context: Context) -> RawPosting | None:
    if not isinstance(record, dict) or text(record.get("id")) is None:
        return None
    return RawPosting(
        source=SOURCE,
        url=text(record.get("url")),
        source_id=text(record.get("id")),
        title=text(record.get("title")),
        company=text(record.get("company_name")),
        salary_raw=text(record.get("salary")),
        location_raw=text(record.get("candidate_required_location")),
        description_html=markup(record.get("description")),
        date_posted=text(record.get("publication_date")),
        employment_type_raw=text(record.get("job_type")),
    )
