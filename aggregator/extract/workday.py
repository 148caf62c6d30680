"""Workday career sites (the CXS JSON API behind ``*.myworkdayjobs.com``) → RawPosting.

Search: ``POST https://<host>/wday/cxs/<tenant>/<site>/jobs`` with ``{"appliedFacets": {},
"limit": 20, "offset": N, "searchText": ""}`` (more than 20 per page is refused) answers
``{total, jobPostings[], facets[]}``; a posting has ``title``, ``externalPath``
(``/job/<location>/<slug>_<REQ>``), ``locationsText`` ("USA DC Washington", "3 Locations"),
``postedOn`` (prose: "Posted 8 Days Ago"), ``bulletFields[]`` (the requisition id) and sometimes
``remoteType``. Some entries are bare stubs without title or path: they are not postings.

Detail: ``GET https://<host>/wday/cxs/<tenant>/<site><externalPath>`` answers ``{jobPostingInfo{id,
title, jobDescription (HTML), location, additionalLocations?, postedOn, startDate (the real
posting date), timeType, jobReqId, jobPostingId, remoteType?, externalUrl, country, …},
hiringOrganization{name}}``. Pay appears only inside the description HTML.

Requisition ids are unique only within a tenant, so the key within the source is
``<tenant>/<site>/<jobPostingId>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aggregator.extract.api_fields import markup, text
from aggregator.extract.context import Context
from aggregator.extract.page import first
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "workday"
_LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")


@dataclass(frozen=True)
class WorkdaySite:
    host: str  # gdit.wd5.myworkdayjobs.com
    tenant: str  # gdit
    site: str  # External_Career_Site

    @property
    def search_url(self) -> str:
        return f"https://{self.host}/wday/cxs/{self.tenant}/{self.site}/jobs"

    def detail_url(self, external_path: str) -> str:
        return f"https://{self.host}/wday/cxs/{self.tenant}/{self.site}{external_path}"

    def page_url(self, external_path: str) -> str:
        return f"https://{self.host}/{self.site}{external_path}"

    @property
    def key(self) -> str:
        return f"{self.tenant}/{self.site}"


def parse_site(entry: str) -> WorkdaySite:
    """A configured Workday site → host, tenant and site. Accepted forms:

    * ``gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site`` (host/tenant/site),
    * ``https://gdit.wd5.myworkdayjobs.com/en-US/External_Career_Site`` (the public careers URL:
      the tenant is the host's first label),
    * ``gdit.wd5/External_Career_Site`` (the host without ``.myworkdayjobs.com``).
    """
    value = entry.strip()
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    host = parts.netloc.lower()
    if not host:
        raise ValueError(f"no Workday host in {entry!r}")
    if "." in host and not host.endswith(".myworkdayjobs.com") and host.count(".") == 1:
        host = f"{host}.myworkdayjobs.com"  # "gdit.wd5"
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments[:2] == ["wday", "cxs"]:
        segments = segments[2:]
    segments = [segment for segment in segments if not _LOCALE.match(segment)]
    if len(segments) >= 2:
        return WorkdaySite(host, segments[0], segments[1])
    if len(segments) == 1:
        return WorkdaySite(host, host.split(".")[0], segments[0])
    raise ValueError(f"Workday site needs host, tenant and site (host/tenant/site), got {entry!r}")


def _req_id(record: dict[str, Any]) -> str | None:
    bullets = record.get("bulletFields")
    if isinstance(bullets, list) and bullets and text(bullets[0]):
        return text(bullets[0])
    path = text(record.get("externalPath")) or ""
    match = re.search(r"_([A-Za-z0-9-]+?)(?:-\d+)?$", path)
    return match.group(1) if match else None


def is_stub(record: dict[str, Any]) -> bool:
    """A search entry with neither title nor path (seen live) is no posting."""
    return not text(record.get("title")) and not text(record.get("externalPath"))


def extract(record: dict[str, Any], context: Context) -> RawPosting:
    """A search entry, with its detail when it could be fetched (the detail wins where both speak)."""
    site, company, detail = parse_site(context.board), context.company, context.detail
    info = (detail or {}).get("jobPostingInfo") if isinstance((detail or {}).get("jobPostingInfo"), dict) else {}
    organisation = (detail or {}).get("hiringOrganization") or {}
    path = text(record.get("externalPath"))
    posting_id = first(text(info.get("jobPostingId")), path.rsplit("/", 1)[-1] if path else None)
    locations = [text(info.get("location"))] + [text(place) for place in info.get("additionalLocations") or []]
    locations = [place for place in dict.fromkeys(locations) if place]
    url = first(text(info.get("externalUrl")), site.page_url(path) if path else None)
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=first(text(info.get("jobReqId")), _req_id(record)),
        source_key=f"{site.key}/{posting_id}" if posting_id else None,
        apply_url=f"{url}/apply" if url and info.get("canApply") is not False else None,
        title=first(text(info.get("title")), text(record.get("title"))),
        company=real_company(
            company, organisation.get("name") if isinstance(organisation, dict) else None, site.tenant
        ),  # fmt: skip
        location_raw=first("; ".join(locations), text(record.get("locationsText"))),
        description_html=markup(info.get("jobDescription")),
        # startDate is the posting date; postedOn is prose relative to the crawl ("Posted 8 Days Ago").
        date_posted=text(info.get("startDate")),
        employment_type_raw=text(info.get("timeType")),
        job_location_type_raw=first(text(info.get("remoteType")), text(record.get("remoteType"))),
    )
