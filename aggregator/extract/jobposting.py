"""Any page with a schema.org JobPosting → RawPosting (the generic ``jobposting`` spider).

JSON-LD first (``aggregator.extract.jsonld``: @graph, lists, nesting, lenient JSON); W3C microdata
(``itemtype=".../JobPosting"``, read with extruct when it is installed) when the page has no
JSON-LD posting. A page without a JobPosting gives None: most pages of a site are not postings.

The page URL is the posting's identity (``source_key``); ``source_id`` is the JobPosting
``identifier`` where the site gives one, else the URL. JobPosting has no location string, so
``location_raw`` is written from the ``jobLocation`` addresses ("Camberwell, VIC, AU") for on-site
jobs and left empty for TELECOMMUTE ones, whose structured fields (``jobLocationType``,
``applicantLocationRequirements``) say more than an office address would.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector

from aggregator.extract.api_fields import pay_period, salary_text
from aggregator.extract.context import Context
from aggregator.extract.jsonld import first_job_posting, iter_typed, job_posting_fields, structured_hints, text_value
from aggregator.extract.page import first, squash
from aggregator.items import RawPosting

SOURCE = "jobposting"


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _jsonld_shape(item: Any) -> Any:
    """extruct's microdata ``{"type", "properties"}`` → JSON-LD's ``{"@type", ...}``, recursively."""
    if isinstance(item, list):
        return [_jsonld_shape(element) for element in item]
    if not isinstance(item, dict):
        return item
    if "properties" in item and "type" in item:
        shaped = {key: _jsonld_shape(value) for key, value in item["properties"].items()}
        shaped["@type"] = item["type"]
        return shaped
    return {key: _jsonld_shape(value) for key, value in item.items()}


def microdata_job_posting(selector: Selector, url: str) -> dict[str, Any] | None:
    """The first microdata JobPosting of a page, shaped like JSON-LD; None without extruct."""
    if not selector.xpath("//*[contains(@itemtype, 'JobPosting')]"):
        return None
    try:  # imported here: extruct is optional and slow to import, and few pages need it
        from extruct.w3cmicrodata import MicrodataExtractor
    except ImportError:  # pragma: no cover - extruct not installed
        return None
    items = MicrodataExtractor().extract_items(selector.root, base_url=url)
    for posting in iter_typed(_jsonld_shape(list(items)), "JobPosting"):
        return posting
    return None


def base_salary_text(base_salary: Any) -> str | None:
    """schema.org ``baseSalary`` → ``"AUD 130000-160000 per year"`` (a string or number as found)."""
    for amount in _as_list(base_salary):
        if isinstance(amount, (str, int, float)) and not isinstance(amount, bool):
            return squash(str(amount))
        if not isinstance(amount, dict):
            continue
        value = amount.get("value")
        currency = text_value(amount.get("currency"))
        if isinstance(value, dict):
            text = salary_text(
                first(value.get("minValue"), value.get("value")),
                first(value.get("maxValue"), value.get("value")),
                currency,
                pay_period(value.get("unitText") or amount.get("unitText")),
                say_bounds=False,
            )
        else:
            text = salary_text(value, value, currency, pay_period(amount.get("unitText")), say_bounds=False)
        if text:
            return text
    return None


def _place_text(place: Any) -> str | None:
    if isinstance(place, str):
        return squash(place)
    if not isinstance(place, dict):
        return None
    address = place.get("address")
    if isinstance(address, str):
        return squash(address)
    if not isinstance(address, dict):
        return text_value(place.get("name"))
    parts = [text_value(address.get(key)) for key in ("addressLocality", "addressRegion", "addressCountry")]
    return ", ".join(part for part in parts if part) or text_value(place.get("name"))


def location_text(posting: dict[str, Any]) -> str | None:
    """A readable location from ``jobLocation`` for on-site/hybrid postings; None for telecommute."""
    types = {str(t).upper() for t in _as_list(posting.get("jobLocationType"))}
    if any("TELECOMMUTE" in t for t in types):
        return None
    places = [_place_text(place) for place in _as_list(posting.get("jobLocation"))]
    places = list(dict.fromkeys(place for place in places if place))
    return "; ".join(places) or None


def _page_posting(url: str, html: str) -> tuple[RawPosting | None, list[str]]:
    """The JobPosting on a page (None when it has none) and what went wrong reading it."""
    selector = Selector(text=html)
    posting, problems = first_job_posting(selector)
    if posting is None:
        posting = microdata_job_posting(selector, url)
        if posting is not None:
            problems.append("JobPosting read from microdata")
    if posting is None:
        return None, problems
    ld = job_posting_fields(posting)
    direct_apply = str(posting.get("directApply")).lower() == "true"
    return RawPosting(
        source=SOURCE,
        url=url,
        source_id=first(ld.get("identifier"), url),
        source_key=url,
        # directApply: the posting's own page takes the application.
        apply_url=first(ld.get("url"), url) if direct_apply else None,
        title=ld.get("title"),
        company=ld.get("company"),
        salary_raw=base_salary_text(posting.get("baseSalary")),
        location_raw=location_text(posting),
        description_html=ld.get("description_html"),
        date_posted=ld.get("date_posted"),
        valid_through=ld.get("valid_through"),
        **structured_hints(ld),
    ), problems


def extract(record: str, context: Context) -> RawPosting | None:
    """The posting on a page's text (None when it holds none); what went wrong reading it goes to
    ``context.warnings``."""
    item, problems = _page_posting(context.url, record)
    context.warnings.extend(problems)
    return item
