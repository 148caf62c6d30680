"""remotewlb.com posting pages → RawPosting.

The JSON-LD JobPosting is the primary record; the Next.js ``__NEXT_DATA__`` payload and the
visible page fill whatever it lacks or breaks (salary and location only exist there).
"""

from __future__ import annotations

import re

from parsel import Selector

from aggregator.extract.context import Context
from aggregator.extract.jsonld import first_job_posting, job_posting_fields, structured_hints
from aggregator.extract.page import dig, first, inner_html, own_text, script_json, squash
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

SOURCE = "remotewlb"
_TRAILING_ID = re.compile(r"-(\d+)$")


def slug_from_url(url: str) -> str | None:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None


def source_id_from_url(url: str) -> str | None:
    """The trailing numeric id of the slug (``…-92308`` → ``92308``), else the whole slug."""
    slug = slug_from_url(url)
    match = _TRAILING_ID.search(slug or "")
    return match.group(1) if match else slug


def _page_posting(url: str, html: str) -> tuple[RawPosting | None, list[str]]:
    """The posting on a page (None when the page holds no posting) and what went wrong reading it."""
    selector = Selector(text=html)
    posting, problems = first_job_posting(selector)
    ld = job_posting_fields(posting) if posting else {}
    job = dig(script_json(selector, "script#__NEXT_DATA__"), "props.pageProps.job") or {}
    title = first(ld.get("title"), job.get("title"), own_text(selector, "h1.job-title"))
    if not posting and not job and not title:
        return None, problems
    if not posting:
        problems.append("no JobPosting JSON-LD; read from the page")
    item = RawPosting(
        source=SOURCE,
        url=url,
        source_id=source_id_from_url(url),
        # Different postings share a trailing number (qa-engineer-92258, senior-qa-engineer-92258).
        source_key=slug_from_url(url),
        apply_url=first(
            squash(job.get("applyUrl")),
            selector.css("a.btn-apply::attr(href)").get(),
        ),
        title=squash(title),
        company=real_company(ld.get("company"), squash(job.get("companyName")), own_text(selector, ".job-company")),
        salary_raw=first(squash(job.get("salary")), own_text(selector, ".tag-salary")),
        location_raw=first(squash(job.get("location")), own_text(selector, ".tag-location")),
        description_html=first(ld.get("description_html"), inner_html(selector, "section.job-description")),
        date_posted=first(ld.get("date_posted"), job.get("createdAt")),
        valid_through=ld.get("valid_through"),
        **structured_hints(ld),
    )
    return item, problems


def extract(record: str, context: Context) -> RawPosting | None:
    """The posting on a page's text (None when it holds none); what went wrong reading it goes to
    ``context.warnings``."""
    item, problems = _page_posting(context.url, record)
    context.warnings.extend(problems)
    return item
