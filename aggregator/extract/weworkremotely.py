"""We Work Remotely RSS items → RawPosting.

Both item schemas are read: the 2022 one (``title`` "Company: Job title", ``region``, ``category``,
``type``, ``description``, ``pubDate``, ``expires_at``, ``guid``, ``link``; category feeds may lack
``type`` and ``expires_at``) and the 2025+ one, which adds ``country``, ``state`` and ``skills``
(often empty, in any order).

``region`` is where the job may be done ("Anywhere in the World", "USA Only") and is the location.
``country``/``state`` follow the company's headquarters, not the job (a posting open "Anywhere in
the World" carries ``<state>London</state>`` when the company sits in London), so they only stand
in for the location when an item has no region; they are kept as a structured hint either way.
"""

from __future__ import annotations

import re

from parsel import Selector

from aggregator.extract.context import Context
from aggregator.extract.page import first, squash
from aggregator.items import RawPosting

SOURCE = "weworkremotely"


def split_title(title: str | None) -> tuple[str | None, str | None]:
    """``"Company: Job title"`` → (company, title), split on the first ``": "`` (titles have colons)."""
    title = squash(title)
    if not title:
        return None, None
    company, separator, rest = title.partition(": ")
    if not separator or not company.strip() or not rest.strip():
        return None, title
    return company.strip(), rest.strip()


def slug_from_url(url: str | None) -> str | None:
    """``https://weworkremotely.com/remote-jobs/acme-engineer`` → ``acme-engineer``.

    The board links an item as ``/remote-jobs/<slug>`` or ``/listings/<slug>``; the slug is its id.
    """
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or None


def apply_link(description_html: str | None) -> str | None:
    """The link of the "To apply:" paragraph the board ends each description with."""
    if not description_html or "apply" not in description_html.lower():
        return None
    selector = Selector(text=description_html)
    for paragraph in reversed(selector.xpath("//p")):
        text = squash(" ".join(paragraph.xpath(".//text()").getall())) or ""
        if re.match(r"(?i)to apply\s*:", text):
            href = paragraph.xpath(".//a/@href").get()
            if href and href.strip():
                return href.strip()
            match = re.search(r"https?://\S+", text)
            return match.group(0) if match else None
    return None


def _headquarters_place(country: str | None, state: str | None) -> dict | None:
    if not country and not state:
        return None
    address = {"@type": "PostalAddress"}
    if state:
        address["addressRegion"] = state
    if country:
        address["addressCountry"] = country
    return {"@type": "Place", "address": address}


def extract(record: dict[str, str], context: Context) -> RawPosting:
    """One RSS item (its children as ``{name: text}``, see ``aggregator.bases.feed``) → RawPosting."""
    link = first(squash(record.get("link")), squash(record.get("guid")))
    company, title = split_title(record.get("title"))
    region = squash(record.get("region"))
    country = squash(record.get("country"))
    state = squash(record.get("state"))
    description = first(record.get("description"), record.get("encoded"))
    slug = slug_from_url(link) or squash(record.get("guid"))
    return RawPosting(
        source=SOURCE,
        url=link,
        source_id=slug,
        source_key=slug,
        apply_url=first(apply_link(description), link),
        title=title,
        company=company,
        location_raw=first(region, ", ".join(part for part in (state, country) if part)),
        description_html=description,
        date_posted=squash(record.get("pubDate")),
        valid_through=squash(record.get("expires_at")),
        employment_type_raw=squash(record.get("type")),
        job_location_raw=_headquarters_place(country, state),
    )
