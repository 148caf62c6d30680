"""NoDesk RSS items → RawPosting.

``https://nodesk.co/remote-jobs/index.xml`` is Hugo-generated RSS 2.0: ``title`` ("Role at
Company"), ``description`` (plain text, a leading newline), ``pubDate``, ``guid`` and ``link``
(``https://nodesk.co/remote-jobs/<slug>/``). The company is only in the title, after its last
" at " (roles contain " at " too: "Head of Growth at Scale at Acme"). There is no location
element: every job is remote, regions appear in the text. The feed uses HTML entities
(``&rsquo;``) that XML does not define; the feed base turns them into characters.
"""

from __future__ import annotations

import html

from aggregator.extract.context import Context
from aggregator.extract.page import first, squash
from aggregator.extract.weworkremotely import slug_from_url
from aggregator.items import RawPosting

SOURCE = "nodesk"


def split_title(title: str | None) -> tuple[str | None, str | None]:
    """``"Senior Engineer at Acme"`` → ("Acme", "Senior Engineer"), split on the last " at "."""
    title = squash(title)
    if not title:
        return None, None
    role, separator, company = title.rpartition(" at ")
    if not separator or not role.strip() or not company.strip():
        return None, title
    return company.strip(), role.strip()


def text_to_html(value: str | None) -> str | None:
    """The plain-text description as paragraphs, one per line."""
    if not value or not value.strip():
        return None
    return "".join(f"<p>{html.escape(line.strip())}</p>" for line in value.splitlines() if line.strip())


def extract(record: dict[str, str], context: Context) -> RawPosting:
    link = first(squash(record.get("link")), squash(record.get("guid")))
    company, title = split_title(record.get("title"))
    slug = slug_from_url(link)
    return RawPosting(
        source=SOURCE,
        url=link,
        source_id=slug,
        apply_url=link,
        title=title,
        company=company,
        description_html=text_to_html(first(record.get("description"), record.get("encoded"))),
        date_posted=squash(record.get("pubDate")),
    )
