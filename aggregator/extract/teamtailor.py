"""Teamtailor careers-site JSON Feed → RawPosting.

``GET https://<company>.teamtailor.com/jobs.json`` (or the company's own careers domain) is a
JSON Feed 1.1: ``{version, title, home_page_url, feed_url, items[]}``. An item has ``id`` (UUID),
``title``, ``url`` (``…/jobs/<number>-<slug>``), ``date_published`` and ``_jobposting``: the
schema.org ``JobPosting`` of the page (title, identifier, datePosted, jobLocation[], and on
untrimmed feeds description, employmentType, baseSalary, jobLocationType). The feed's ``title``
is the company's careers-site name.

The posting's id is Teamtailor's job number — the JobPosting ``identifier`` and the number in its
URL, the id Teamtailor's API and every link use — not the feed item's UUID, which exists only in
this feed.
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.extract.api_fields import markup, text
from aggregator.extract.context import Context
from aggregator.extract.jobposting import base_salary_text, location_text
from aggregator.extract.jsonld import job_posting_fields, structured_hints
from aggregator.extract.page import first
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "teamtailor"
_JOB_NUMBER = re.compile(r"/jobs/(\d+)(?:-|$)")


def job_number(posting: dict[str, Any], url: str | None) -> str | None:
    identifier = posting.get("identifier")
    value = identifier.get("value") if isinstance(identifier, dict) else identifier
    if isinstance(value, (int, str)) and str(value).strip().isdigit():
        return str(value).strip()
    found = _JOB_NUMBER.search(url or "")
    return found.group(1) if found else None


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    board, company = context.board, context.company
    posting = record.get("_jobposting") if isinstance(record.get("_jobposting"), dict) else {}
    ld = job_posting_fields(posting) if posting else {}
    url = text(record.get("url"))
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=job_number(posting, url) or text(record.get("id")),
        apply_url=url,  # the job page holds the application form
        title=first(text(record.get("title")), ld.get("title")),
        company=real_company(ld.get("company"), company, board),
        salary_raw=base_salary_text(posting.get("baseSalary")),
        location_raw=location_text(posting) if posting else None,
        description_html=first(markup(record.get("content_html")), ld.get("description_html")),
        date_posted=first(text(record.get("date_published")), ld.get("date_posted")),
        valid_through=ld.get("valid_through"),
        **structured_hints(ld),
    )
