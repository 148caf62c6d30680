"""Board item defaults: what a spider declares once for all its items (``item_defaults``).

A remote-only board says "remote" at the board level, not on every posting. Its spider declares
``item_defaults = {"workplace": "remote"}`` (the way alltheplaces spiders declare
``item_attributes``); a default fills a field only where the posting itself is silent, so a
posting that says hybrid or on-site keeps its own value, and countries and regions still come
from the posting.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from aggregator.items import NormalisedPosting

# A title that qualifies the place the way a location line does: "Engineer (Hybrid - San
# Francisco)", "Nurse - On-site". A bare "hybrid" elsewhere ("Hybrid Cloud Engineer") is a topic.
_TITLE_WORKPLACE_RE = re.compile(
    r"[(\[\-\u2013\u2014|,/]\s*(?P<word>hybrid|on[\s-]?site|in[\s-]office|office[\s-]based)\b", re.I
)

_FIELDS = {field.name for field in dataclasses.fields(NormalisedPosting)}
# Values that mean "the posting says nothing about this field".
_SILENT = (None, "", "unknown")


class ItemDefaultsError(ValueError):
    """A spider declared a default for a field that postings do not have."""


def check_item_defaults(defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    """The declared defaults as a dict; an unknown field is a programming error, said at start-up."""
    defaults = dict(defaults or {})
    unknown = sorted(set(defaults) - _FIELDS)
    if unknown:
        raise ItemDefaultsError(f"item_defaults names fields postings do not have: {', '.join(unknown)}")
    return defaults


def title_workplace(title: str | None) -> str | None:
    """``hybrid`` or ``onsite`` when the title qualifies the job's place that way, else None."""
    match = _TITLE_WORKPLACE_RE.search(title or "")
    if not match:
        return None
    return "hybrid" if match.group("word").lower() == "hybrid" else "onsite"


def _silent(value: Any) -> bool:
    return value in _SILENT or value == [] or value == ()


def apply_item_defaults(posting: NormalisedPosting, defaults: Mapping[str, Any] | None) -> NormalisedPosting:
    """The posting with each default filled in where the posting is silent."""
    if not defaults:
        return posting
    changes: dict[str, Any] = {}
    for name, value in defaults.items():
        current = getattr(posting, name)
        if not _silent(current):
            continue
        if name == "workplace":
            # A title saying hybrid or on-site is the posting speaking, not silence.
            value = title_workplace(posting.title) or value
        changes[name] = list(value) if isinstance(value, list | tuple) else value
    return dataclasses.replace(posting, **changes) if changes else posting
