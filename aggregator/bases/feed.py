"""Boards that publish RSS 2.0 / RSS 1.0 / Atom feeds: one request per feed, one posting per item.

The spider fetches each feed, turns every ``<item>`` / ``<entry>`` into a flat dict of its child
elements (``feed_entries``, pure) and hands each dict to the subclass's ``extract``. Namespaced
children are reachable both by their written name (``media:content``, ``dc:creator``) and by
their local name, so a feed that moves an element into a namespace keeps working.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterator, Iterable
from html.entities import html5
from typing import Any

import scrapy
from lxml import etree
from parsel import Selector
from scrapy.http import Response

from aggregator.bases.base import LISTING_PROBLEMS, JobSpider
from aggregator.items import RawPosting

FEED_ROOTS = {"rss", "feed", "RDF"}
_ENTRY_XPATH = "//*[local-name()='item' or local-name()='entry']"
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _numeric_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    character = html5.get(name.decode("ascii") + ";")
    if character is None:
        return match.group(0)
    return b"".join(b"&#%d;" % ord(c) for c in character)


def xml_safe_entities(body: bytes) -> bytes:
    """HTML named entities (``&rsquo;``, ``&nbsp;``) that XML does not define, as numeric references.

    Real feeds (NoDesk's Hugo RSS) use them; an XML parser rejects or silently drops them.
    A leading byte-order mark or whitespace before the XML declaration is dropped too.
    """
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    return _NAMED_ENTITY.sub(_numeric_entity, body.lstrip())


class NotAFeed(ValueError):
    """The body is not an RSS or Atom document (an HTML error page, JSON, nothing)."""


def _parser() -> etree.XMLParser:
    # Recover from the small breakages real feeds have; never fetch or expand external entities.
    return etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)


def _element_value(node: Selector) -> str | None:
    """An element's value: its text, its inner markup when it has child elements, else a link."""
    if node.xpath("*"):
        value = "".join(node.xpath("node()").getall())
    else:
        value = node.xpath("string()").get() or ""
    value = value.strip()
    if value:
        return value
    # Empty elements that carry their value in an attribute: Atom <link href>, <media:content url>.
    rel = node.attrib.get("rel")
    if rel in (None, "alternate"):
        for attribute in ("href", "url"):
            if node.attrib.get(attribute, "").strip():
                return node.attrib[attribute].strip()
    return None


def entry_fields(entry: Selector) -> dict[str, str]:
    """``{name: value}`` for an item's children; the first non-empty occurrence of a name wins.

    Keys are the qualified name as written (``media:content``) and the local name (``content``);
    an un-namespaced element owns its local name over a namespaced one.
    """
    qualified: dict[str, str] = {}
    local: dict[str, str] = {}
    for child in entry.xpath("*"):
        value = _element_value(child)
        if value is None:
            continue
        name = child.xpath("name()").get() or ""
        local_name = child.xpath("local-name()").get() or name
        qualified.setdefault(name, value)
        if ":" not in name:
            local.setdefault(local_name, value)
    fields = dict(qualified)
    for name, value in qualified.items():
        fields.setdefault(name.rsplit(":", 1)[-1], value)
    fields.update(local)
    return fields


def feed_entries(body: bytes) -> list[dict[str, str]]:
    """Every item/entry of an RSS or Atom document as a dict of its children's values.

    Raises ``NotAFeed`` when the body is not a feed at all; an empty feed gives ``[]``.
    """
    try:
        root = etree.fromstring(xml_safe_entities(body), parser=_parser()) if body.strip() else None
    except etree.XMLSyntaxError as exc:
        raise NotAFeed(f"unreadable XML: {exc}") from exc
    if root is None:
        raise NotAFeed("empty or unreadable XML")
    selector = Selector(root=root, type="xml")
    root_name = selector.xpath("local-name(/*)").get()
    if root_name not in FEED_ROOTS:
        raise NotAFeed(f"root element <{root_name}> is not rss, feed or RDF")
    return [entry_fields(entry) for entry in selector.xpath(_ENTRY_XPATH)]


def split_list(value: Any) -> list[str]:
    """``"a, b,,c"`` or ``["a", "b"]`` → ``["a", "b", "c"]`` (spider arguments and settings)."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [str(part).strip() for part in parts if str(part).strip()]


class FeedJobSpider(JobSpider):
    """Subclasses set ``feed_urls`` and ``extract(record, response)``, where the record is one entry's
    fields (``entry_fields``) and the response the feed; ``-a feeds=URL,URL`` overrides the URLs."""

    feed_urls: tuple[str, ...] = ()

    def __init__(self, *args: Any, feeds: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if feeds:
            self.feed_urls = tuple(split_list(feeds))
        # One posting often sits in the all-jobs feed and in its category feed.
        self.seen_keys: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        if not self.feed_urls:
            self.logger.warning("%s: no feeds to crawl (pass -a feeds=URL,URL)", self.name)
        for url in self.feed_urls:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_listing_error)

    def on_listing_error(self, failure) -> None:
        # A feed we could not read makes the run partial: it must not close postings it did not see.
        self.crawler.stats.inc_value(LISTING_PROBLEMS)
        self.on_fetch_error(failure)

    def parse_feed(self, response: Response) -> Iterable[RawPosting]:
        stats = self.crawler.stats
        try:
            entries = feed_entries(response.body)
        except NotAFeed as exc:
            self.record_listing_problem(response.url, f"not a feed: {exc}")
            return
        stats.inc_value("aggregator/feed/feeds")
        stats.inc_value("aggregator/feed/entries", len(entries))
        if not entries:
            # An empty feed is far more often a broken one than a board with no jobs at all.
            self.record_listing_problem(response.url, "the feed lists no entries")
        for fields in entries:
            try:
                item = self.extract(fields, response)
            except Exception as exc:  # one broken entry must not cost the rest of the feed
                self.logger.exception("extractor failed on an entry of %s", response.url)
                self.record_problem(
                    fields.get("link") or response.url,
                    "extract",
                    f"{type(exc).__name__}: {exc}"[:500],
                    fields,
                )
                continue
            if item is None:
                stats.inc_value("aggregator/feed/skipped_entries")
                continue
            key = item.source_key or item.source_id or item.url
            if key and key in self.seen_keys:
                stats.inc_value("aggregator/feed/repeated_entries")
                continue
            if key:
                self.seen_keys.add(key)
            yield item
