"""Text clean-up: titles, company names, description HTML and plain text."""

from __future__ import annotations

import html
import re
import unicodedata

import html_text
import nh3

from aggregator.normalise.vocab import is_company_placeholder

_SPACES = re.compile(r"\s+")
# Tags kept in a sanitised description; scripts, styles, iframes, forms and event handlers go.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def clean_text(value: str | None) -> str | None:
    """Entities decoded, Unicode composed, whitespace squashed; blank becomes None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", html.unescape(str(value)))
    text = _SPACES.sub(" ", text).strip()
    return text or None


def clean_company(value: str | None) -> str | None:
    """The company name cleaned; a placeholder (one vocabulary: ``normalise.company``) is None."""
    text = clean_text(value)
    if text is None or is_company_placeholder(text):
        return None
    return text


def sanitise_html(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    ).strip()
    return cleaned or None


def html_to_text(value: str | None, *, sanitised: bool = False) -> str | None:
    """Readable plain text: paragraphs and list items on their own lines.

    ``sanitised``: ``value`` comes from ``sanitise_html``, so html_text's own cleaning (scripts,
    styles, comments, embeds and frames out; all already gone) is skipped: a copy of the tree saved.
    """
    if not value:
        return None
    if sanitised:
        text = html_text.etree_to_text(html_text.parse_html(value), guess_layout=True).strip()
    else:
        text = html_text.extract_text(value, guess_layout=True).strip()
    return text or None
