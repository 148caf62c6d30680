"""Working Nomads records (``GET https://www.workingnomads.com/api/exposed_jobs/``) → RawPosting.

The body is a bare array. There is no id key and no salary field: the id is the number in
``url`` (``https://www.workingnomads.com/job/go/<id>/``), a link that redirects to the employer's
application — it is the posting's only URL, so it is both ``url`` and ``apply_url``.
``pub_date`` is ISO with a US-Eastern offset; ``tags`` is a comma-separated string.
"""

from __future__ import annotations

from typing import Any

from aggregator.extract.api_fields import id_from_url, markup, text
from aggregator.extract.context import Context
from aggregator.items import RawPosting

SOURCE = "workingnomads"
_ID_IN_URL = r"/job/go/(\d+)"


def extract(record: Any, context: Context) -> RawPosting | None:
    if not isinstance(record, dict):
        return None
    url = text(record.get("url"))
    if url is None:
        return None
    return RawPosting(
        source=SOURCE,
        url=url,
        # Older or other endpoints may carry an explicit id; the URL's number is the same id.
        source_id=text(record.get("id")) or id_from_url(url, _ID_IN_URL) or url,
        apply_url=url,
        title=text(record.get("title")),
        company=text(record.get("company_name")),
        location_raw=text(record.get("location")),
        description_html=markup(record.get("description")),
        date_posted=text(record.get("pub_date")),
    )
