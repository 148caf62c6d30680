"""Small helpers for reading values out of HTML pages and embedded JSON."""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector

from aggregator.extract.jsonld import JsonLdError, loads_lenient

_SPACES = re.compile(r"\s+")


def squash(text: str | None) -> str | None:
    if text is None:
        return None
    text = _SPACES.sub(" ", text).strip()
    return text or None


def own_text(selector: Selector, css: str) -> str | None:
    """Text of the first match, without decorative children marked aria-hidden (icons, emoji)."""
    node = selector.css(css)
    if not node:
        return None
    parts = node[0].xpath(".//text()[not(ancestor::*[@aria-hidden='true'])]").getall()
    return squash("".join(parts))


def inner_html(selector: Selector, css: str) -> str | None:
    node = selector.css(css)
    if not node:
        return None
    html = "".join(node[0].xpath("node()").getall()).strip()
    return html or None


def script_json(selector: Selector, css: str) -> Any:
    raw = selector.css(f"{css}::text").get()
    if not raw:
        return None
    try:
        return loads_lenient(raw)
    except JsonLdError:
        return None


def dig(data: Any, path: str) -> Any:
    """``dig(d, "props.pageProps.job")``: a dotted path into nested dicts/lists, None if absent."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def first(*values: Any) -> Any:
    """The first value that is not None or blank."""
    for value in values:
        if value is None:
            continue
        if isinstance(value, str):
            if not value.strip():
                continue
        return value
    return None
