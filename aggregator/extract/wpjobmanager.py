"""WP Job Manager RSS items (``/?feed=job_feed``: Jobspresso, EU Remote Jobs) → RawPosting.

Per item: ``title``, ``link`` (``/job/<slug>/``), ``dc:creator``, ``pubDate``, ``guid``
(``/?post_type=job_listing&p=<id>``, or the link), ``description`` (an excerpt),
``content:encoded`` (the full HTML), ``post-id`` (not on every site), ``media:content`` (logo) and
the plugin's ``job_listing:location``, ``job_listing:job_type``, ``job_listing:job_category`` and
``job_listing:company``.

Sites fill the fields differently, so the rules are by meaning, not by position:

* the company is ``job_listing:company``; ``dc:creator`` only stands in when it has the
  theme's "Company<br>⚲ Location" shape (on EU Remote Jobs it is the poster's name, never the company);
* the id is ``post-id``, else the ``p=`` of the guid, else the link's slug;
* the employment type is whichever of ``job_type`` / ``job_category`` reads as one (Jobspresso
  swaps them: job_type "Engineer", job_category "Full Time").
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from aggregator.extract.page import first, squash
from aggregator.extract.weworkremotely import slug_from_url
from aggregator.items import RawPosting
from aggregator.normalise.company import real_company

_EMPLOYMENT = re.compile(r"(?i)\b(full|part)[\s-]*time\b|\bcontract|\bfreelance|\bintern|\btemporary|\bpermanent")
_CREATOR_BREAK = re.compile(r"(?i)<br\s*/?>")


def _field(fields: dict[str, str], name: str) -> str | None:
    value = first(fields.get(f"job_listing:{name}"), fields.get(name))
    return squash(html.unescape(value)) if value else None


def creator_parts(creator: str | None) -> tuple[str | None, str | None]:
    """``"Hopper<br>⚲&nbsp;Various US States"`` → ("Hopper", "Various US States"); a plain name → (None, None)."""
    if not creator or not _CREATOR_BREAK.search(creator):
        return None, None
    company, place = _CREATOR_BREAK.split(creator, maxsplit=1)
    place = html.unescape(place).replace("⚲", " ")
    return squash(html.unescape(company)), squash(place)


def post_id(fields: dict[str, str], link: str | None) -> str | None:
    found = squash(fields.get("post-id"))
    if found and found.isdigit():
        return found
    guid = squash(fields.get("guid")) or ""
    values = parse_qs(urlsplit(guid).query).get("p")
    if values and values[-1].isdigit():
        return values[-1]
    return slug_from_url(link)


def employment_type(fields: dict[str, str]) -> str | None:
    for name in ("job_type", "job_category"):
        value = _field(fields, name)
        if value and _EMPLOYMENT.search(value):
            return value
    return None


def extract_item(fields: dict[str, str], source: str) -> RawPosting:
    link = first(squash(fields.get("link")), squash(fields.get("guid")))
    creator_company, creator_place = creator_parts(fields.get("creator"))
    return RawPosting(
        source=source,
        url=link,
        source_id=post_id(fields, link),
        apply_url=link,
        title=squash(html.unescape(fields.get("title") or "")),
        company=real_company(_field(fields, "company"), creator_company),
        location_raw=first(_field(fields, "location"), creator_place),
        description_html=first(fields.get("encoded"), fields.get("description")),
        date_posted=squash(fields.get("pubDate")),
        employment_type_raw=employment_type(fields),
    )
